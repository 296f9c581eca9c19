package io.cellar.csi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Runs kubernetes-csi's csi-sanity (pinned release, built with {@code go install} into {@code
 * build/tools} when missing) against the driver on a temporary socket, with a vineyard cluster
 * directory holding a real listening {@code vineyard.sock}. Every spec must pass or be skipped for
 * a capability the driver does not claim.
 */
class CsiSanityIT {

  static final String CSI_SANITY = "github.com/kubernetes-csi/csi-test/v5/cmd/csi-sanity@v5.4.0";

  /** Skips csi-sanity may report: capabilities we do not claim, and options we do not enable. */
  private static final List<Pattern> ALLOWED_SKIPS =
      List.of(
          Pattern.compile(".* not supported$"), // a capability the driver does not claim
          Pattern.compile(".*capacity of the volume is unknown$"), // capacity 0: a volume is a
          // handle to a vineyard cluster, not sized storage
          Pattern.compile(".*testnodevolumeattachlimit not enabled$")); // a csi-sanity option

  @TempDir Path tmp;

  @Test
  void csiSanityPasses() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "csi-sanity publishes volumes (bind mounts need root); skipped as "
            + System.getProperty("user.name"));
    Path sanity = csiSanity();
    try (DriverFixture driver =
        new DriverFixture(tmp.resolve("driver"), new IpcObjectReaper(tmp.resolve("driver/root")))) {
      driver.vineyardCluster("cellar-test", "vineyardd-sanity");
      Path params =
          Files.writeString(
              tmp.resolve("params.yaml"),
              VolumeId.NAMESPACE_KEY
                  + ": cellar-test\n"
                  + VolumeId.NAME_KEY
                  + ": vineyardd-sanity\n");
      Files.createDirectories(tmp.resolve("sanity")); // csi-sanity makes only the last level
      Path report = tmp.resolve("sanity-report.xml");
      Path log = tmp.resolve("sanity.log");
      Process process =
          new ProcessBuilder(
                  sanity.toString(),
                  "--csi.endpoint=unix://" + driver.endpoint,
                  "--csi.testvolumeparameters=" + params,
                  "--csi.testvolumesize=1048576",
                  "--csi.mountdir=" + tmp.resolve("sanity/mount"),
                  "--csi.stagingdir=" + tmp.resolve("sanity/staging"),
                  "--ginkgo.junit-report=" + report,
                  "--ginkgo.no-color")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        fail("csi-sanity did not finish in 5 minutes; log:\n" + Files.readString(log));
      }
      Counts counts = counts(report);
      System.out.printf(
          "csi-sanity: %d passed, %d failed, %d skipped, %d pending (of %d specs)%n",
          counts.passed, counts.failed, counts.skipped, counts.pending, counts.total);
      assertEquals(0, process.exitValue(), "csi-sanity failed; log:\n" + Files.readString(log));
      assertEquals(List.of(), counts.failures, "failed specs");
      assertEquals(List.of(), counts.unexpectedSkips, "specs skipped for a claimed capability");
      assertTrue(counts.passed >= 30, "too few specs ran: " + counts.passed);
      assertEquals(
          List.of(), mountsUnder(tmp), "csi-sanity's volumes left mounted after unpublishing");
    }
  }

  private static final class Counts {
    int total;
    int passed;
    int failed;
    int skipped;
    int pending;
    final List<String> failures = new ArrayList<>();
    final List<String> unexpectedSkips = new ArrayList<>();
  }

  private static Counts counts(Path report) throws Exception {
    Counts counts = new Counts();
    NodeList cases =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(report.toFile())
            .getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      Element testCase = (Element) cases.item(i);
      String name = testCase.getAttribute("name");
      String status = testCase.getAttribute("status");
      counts.total++;
      switch (status) {
        case "passed" -> counts.passed++;
        case "pending" -> counts.pending++; // XIt in the suite itself
        case "skipped" -> {
          counts.skipped++;
          NodeList skipped = testCase.getElementsByTagName("skipped");
          String message =
              skipped.getLength() == 0 ? "" : ((Element) skipped.item(0)).getAttribute("message");
          if (ALLOWED_SKIPS.stream().noneMatch(p -> p.matcher(message).matches())) {
            counts.unexpectedSkips.add(name + ": " + message);
          }
        }
        default -> {
          counts.failed++;
          counts.failures.add(name + " (" + status + ")");
        }
      }
    }
    return counts;
  }

  /** The csi-sanity binary: {@code <repo>/build/tools/csi-sanity}, built when missing. */
  static Path csiSanity() throws IOException, InterruptedException {
    Path repo = Path.of(System.getProperty("cellar.repo.root", "..")).toAbsolutePath().normalize();
    Path tools = repo.resolve("build/tools");
    Path binary = tools.resolve("csi-sanity");
    if (Files.isExecutable(binary)) {
      return binary;
    }
    Files.createDirectories(tools);
    ProcessBuilder install =
        new ProcessBuilder("go", "install", CSI_SANITY).redirectErrorStream(true).inheritIO();
    install.environment().put("GOBIN", tools.toString());
    System.out.println("installing " + CSI_SANITY + " into " + tools);
    Process process;
    try {
      process = install.start();
    } catch (IOException e) {
      throw new IOException("csi-sanity is missing and `go` cannot be run to build it", e);
    }
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("go install " + CSI_SANITY + " failed");
    }
    return binary;
  }

  private static List<String> mountsUnder(Path dir) throws IOException {
    String prefix = dir.toRealPath().toString();
    List<String> mounts = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] fields = line.split(" ");
      if (fields.length > 4 && fields[4].startsWith(prefix)) {
        mounts.add(fields[4]);
      }
    }
    return mounts;
  }
}
