package io.cellar.testing.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cellar's images for a {@link KubeNode}, built without Docker or a registry by {@code
 * test-support/k8s/build-images.sh} into {@code ~/.cache/cellar-tools/images/<content key>/}: the
 * vineyardd, vineyardctl, pipeline-step and pause images as docker-archive tarballs, each with its
 * tag ({@code cellar.local/NAME:KEY}). A warm cache returns at once. The jars must be packaged
 * first ({@code ./mvnw -pl store-server,deploy -am package -DskipTests}).
 *
 * <p>Immutable; safe from any thread.
 */
public final class NodeImages {
  /** The build script, relative to the clone's root. */
  public static final String SCRIPT = "test-support/k8s/build-images.sh";

  /** The images, by the names of {@code images.env} without {@code _IMAGE}. */
  public static final List<String> NAMES =
      List.of("VINEYARDD", "VINEYARDCTL", "STEPS", "PAUSE", "ETCD");

  private static final Map<String, String> FILES =
      Map.of(
          "VINEYARDD", "vineyardd.tar",
          "VINEYARDCTL", "vineyardctl.tar",
          "STEPS", "steps.tar",
          "PAUSE", "pause.tar",
          "ETCD", "etcd.tar");

  private final Path dir;
  private final Map<String, String> tags;

  private NodeImages(Path dir, Map<String, String> tags) {
    this.dir = dir;
    this.tags = Map.copyOf(tags);
  }

  /**
   * Builds the images of the clone that holds the script (or finds them in the cache).
   *
   * @return the images
   * @throws IllegalStateException if the build fails (its last lines in the message)
   */
  public static NodeImages build() {
    Path script = KubeTools.findScript(SCRIPT);
    Path repo = script.getParent().getParent().getParent();
    return at(KubeTools.build(script, repo.toString()));
  }

  /**
   * Images already built into {@code dir}.
   *
   * @param dir a directory build-images.sh printed
   * @return the images
   */
  public static NodeImages at(Path dir) {
    Map<String, String> tags = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(dir.resolve("images.env"))) {
        int eq = line.indexOf('=');
        if (eq > 0 && line.substring(0, eq).endsWith("_IMAGE")) {
          tags.put(line.substring(0, eq).replace("_IMAGE", ""), line.substring(eq + 1).strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("no images.env in " + dir + " (run " + SCRIPT + ")", e);
    }
    for (String name : NAMES) {
      if (!tags.containsKey(name) || !Files.isRegularFile(dir.resolve(FILES.get(name)))) {
        throw new IllegalStateException(
            "the image directory " + dir + " lacks " + name + " (run " + SCRIPT + ")");
      }
    }
    return new NodeImages(dir, tags);
  }

  /** The cache directory of these images. */
  public Path dir() {
    return dir;
  }

  /**
   * An image's tag.
   *
   * @param name one of {@link #NAMES}
   * @return {@code cellar.local/...:KEY}
   */
  public String tag(String name) {
    String tag = tags.get(name);
    if (tag == null) {
      throw new IllegalArgumentException("no image " + name + "; have " + NAMES);
    }
    return tag;
  }

  /**
   * An image's docker-archive tarball.
   *
   * @param name one of {@link #NAMES}
   * @return the file
   */
  public Path archive(String name) {
    tag(name);
    return dir.resolve(FILES.get(name));
  }
}
