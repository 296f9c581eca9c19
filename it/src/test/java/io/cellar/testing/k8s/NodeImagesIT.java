package io.cellar.testing.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images build-images.sh makes hold what the Dockerfiles of deploy/docker and
 * deploy/examples/kubeflow describe: the final stage's ENTRYPOINT, CMD, USER, WORKDIR, ENV and
 * EXPOSE in the image config, the files the COPY lines and the build stage's outputs put in place,
 * the useradd line's user in /etc/passwd, and the pinned wheels in the step image.
 */
class NodeImagesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static NodeImages images;
  private static Path repo;

  @BeforeAll
  static void build() {
    assumeTrue(KubeNode.canRun(), "build-images.sh needs root (mmdebstrap --mode=root)");
    images = NodeImages.build();
    repo = KubeTools.findScript(NodeImages.SCRIPT).getParent().getParent().getParent();
  }

  @Test
  void vineyarddImageIsWhatItsDockerfileSays(@TempDir Path dir) throws Exception {
    Image image = Image.open(images.archive("VINEYARDD"), dir);
    Dockerfile file = Dockerfile.read(repo.resolve("deploy/docker/vineyardd.Dockerfile"));
    assertJavaApp(image, file, "vineyardd", "store-server.jar");
    assertTrue(image.config.path("ExposedPorts").has(file.single("EXPOSE") + "/tcp"));
  }

  @Test
  void vineyardctlImageIsWhatItsDockerfileSays(@TempDir Path dir) throws Exception {
    Image image = Image.open(images.archive("VINEYARDCTL"), dir);
    Dockerfile file = Dockerfile.read(repo.resolve("deploy/docker/vineyardctl.Dockerfile"));
    assertJavaApp(image, file, "vineyardctl", "vineyardctl.jar");
  }

  @Test
  void stepImageIsWhatTheExampleDockerfileSays(@TempDir Path dir) throws Exception {
    Image image = Image.open(images.archive("STEPS"), dir);
    Dockerfile file = Dockerfile.read(repo.resolve("deploy/examples/kubeflow/Dockerfile"));
    assertEquals(file.json("CMD"), image.config.path("Cmd"));
    assertEquals(file.single("WORKDIR"), image.config.path("WorkingDir").asText());
    String env = file.single("ENV");
    assertTrue(contains(image.config.path("Env"), env), image.config.path("Env") + " lacks " + env);
    // COPY common.py prepare-data.py ... /steps/
    List<String> copy = List.of(file.single("COPY").split("\\s+"));
    String target = copy.getLast();
    for (String source : copy.subList(0, copy.size() - 1)) {
      Path inImage = image.file(target + source);
      assertTrue(Files.isRegularFile(inImage), target + source + " missing");
      assertEquals(
          Files.readString(repo.resolve("deploy/examples/kubeflow").resolve(source)),
          Files.readString(inImage));
    }
    assertTrue(Files.isExecutable(image.file("/usr/bin/python3")));
    // pip install vineyard==$VINEYARD_VERSION numpy==... pandas==...: the root pom's pins
    String pom = Files.readString(repo.resolve("pom.xml"));
    for (String pkg : List.of("vineyard", "numpy", "pandas")) {
      Matcher m = Pattern.compile("<python\\." + pkg + "\\.version>([^<]+)<").matcher(pom);
      assertTrue(m.find(), "no pin for " + pkg);
      Path distInfo =
          image.file(
              "/usr/local/lib/python3.11/dist-packages/" + pkg + "-" + m.group(1) + ".dist-info");
      assertTrue(Files.isDirectory(distInfo), distInfo + " missing: not the pinned " + pkg);
    }
  }

  @Test
  void pauseImageIsOneStaticBinary(@TempDir Path dir) throws Exception {
    Image image = Image.open(images.archive("PAUSE"), dir);
    assertEquals("[\"/pause\"]", image.config.path("Entrypoint").toString());
    Path pause = image.file("/pause");
    assertTrue(Files.isExecutable(pause));
    assertTrue(Files.size(pause) < 200_000, "pause is " + Files.size(pause) + " bytes");
  }

  @Test
  void etcdImageHoldsTheEtcdReleaseTheToolsBuiltAndRunsAsTheEtcdUser(@TempDir Path dir)
      throws Exception {
    Image image = Image.open(images.archive("ETCD"), dir);
    assertEquals("[\"/usr/local/bin/etcd\"]", image.config.path("Entrypoint").toString());
    // the StatefulSet runs etcd as this user (EtcdResources.ETCD_USER)
    assertEquals("65532:65532", image.config.path("User").asText());
    Path etcd = image.file("/usr/local/bin/etcd");
    assertTrue(Files.isExecutable(etcd));
    assertEquals(
        -1L, Files.mismatch(etcd, KubeTools.locate().binary("etcd")), "not build-tools.sh's etcd");
    assertTrue(Files.isDirectory(image.file("/tmp")), "no /tmp in the base layer");
  }

  private static void assertJavaApp(Image image, Dockerfile file, String app, String jar)
      throws IOException {
    assertEquals(file.json("ENTRYPOINT"), image.config.path("Entrypoint"));
    assertEquals(file.single("USER"), image.config.path("User").asText());
    // COPY deploy/docker/APP /usr/local/bin/APP: the launcher, as in the repository
    String launcher = "/usr/local/bin/" + app;
    assertTrue(file.all("COPY").contains("deploy/docker/" + app + " " + launcher));
    assertEquals(
        Files.readString(repo.resolve("deploy/docker/" + app)),
        Files.readString(image.file(launcher)));
    assertTrue(Files.isExecutable(image.file(launcher)));
    // the build stage's outputs under /out/opt, copied to /opt
    assertTrue(file.text.contains("/out/opt/cellar/" + app + "/" + jar));
    assertTrue(Files.isRegularFile(image.file("/opt/cellar/" + app + "/" + jar)));
    assertTrue(Files.isDirectory(image.file("/opt/cellar/" + app + "/lib")));
    assertTrue(Files.isExecutable(image.file("/opt/java/bin/java")));
    assertTrue(Files.isRegularFile(image.file("/opt/java/cellar-modules.txt")));
    // useradd --uid 65532 --gid 65532 ... --home-dir /nonexistent --shell /usr/sbin/nologin cellar
    Matcher m =
        Pattern.compile(
                "useradd --uid (\\d+) --gid (\\d+) --no-create-home --home-dir (\\S+)\\s+\\\\?\\s*--shell (\\S+) (\\S+)")
            .matcher(file.text);
    assertTrue(m.find(), "no useradd line in the Dockerfile");
    String passwd = Files.readString(image.file("/etc/passwd"));
    String expected =
        m.group(5) + ":x:" + m.group(1) + ":" + m.group(2) + "::" + m.group(3) + ":" + m.group(4);
    assertTrue(passwd.lines().anyMatch(expected::equals), "/etc/passwd lacks " + expected);
  }

  private static boolean contains(JsonNode array, String value) {
    for (JsonNode n : array) {
      if (n.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** The final stage of a Dockerfile: its instructions with continuation lines joined. */
  private record Dockerfile(String text, Map<String, List<String>> instructions) {
    static Dockerfile read(Path file) throws IOException {
      String text = Files.readString(file);
      String joined = text.replaceAll("\\\\\\n\\s*", " ");
      Map<String, List<String>> out = new HashMap<>();
      for (String line : joined.lines().toList()) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        String[] parts = l.split("\\s+", 2);
        String op = parts[0].toUpperCase();
        if (op.equals("FROM")) {
          out.clear(); // only the final stage makes the image
        }
        out.computeIfAbsent(op, x -> new ArrayList<>()).add(parts.length > 1 ? parts[1] : "");
      }
      return new Dockerfile(text, out);
    }

    List<String> all(String op) {
      return instructions.getOrDefault(op, List.of());
    }

    String single(String op) {
      List<String> values = all(op);
      assertEquals(1, values.size(), op + " in the final stage: " + values);
      return values.getFirst();
    }

    JsonNode json(String op) throws IOException {
      return JSON.readTree(single(op));
    }
  }

  /** A docker-archive unpacked: its config and its layers applied in order into one tree. */
  private record Image(JsonNode config, Path root) {
    static Image open(Path archive, Path dir) throws Exception {
      Path unpacked = dir.resolve("archive");
      Path root = dir.resolve("rootfs");
      Files.createDirectories(unpacked);
      Files.createDirectories(root);
      tar(dir, "-xf", archive.toString(), "-C", unpacked.toString());
      JsonNode manifest = JSON.readTree(unpacked.resolve("manifest.json").toFile()).get(0);
      JsonNode config = JSON.readTree(unpacked.resolve(manifest.path("Config").asText()).toFile());
      assertEquals(
          manifest.path("Layers").size(), config.path("rootfs").path("diff_ids").size(), "layers");
      for (JsonNode layer : manifest.path("Layers")) {
        tar(dir, "-xf", unpacked.resolve(layer.asText()).toString(), "-C", root.toString());
      }
      return new Image(config.path("config"), root);
    }

    Path file(String absolute) {
      return root.resolve(absolute.substring(1));
    }

    private static void tar(Path dir, String... args) throws InterruptedException {
      List<String> command = new ArrayList<>(List.of("tar", "--no-same-owner"));
      command.addAll(List.of(args));
      CommandRunner.Result r =
          CommandRunner.run(command, dir, Map.of(), null, Duration.ofMinutes(5));
      assertEquals(0, r.exitCode(), r.stderr());
    }
  }
}
