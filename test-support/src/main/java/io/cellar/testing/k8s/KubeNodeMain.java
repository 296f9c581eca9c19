package io.cellar.testing.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A {@link KubeNode} for scripts ({@code it/e2e/tutorial}): builds or finds the images, starts the
 * node and writes an env file a shell can source, then holds the node until its standard input ends
 * (or, with {@code --until-signal}, until SIGTERM/SIGINT) and tears it down. Exit code 0 when the
 * teardown restored the host, 1 otherwise (the reason on stderr), 2 for bad arguments.
 *
 * <pre>
 *   java -cp ... io.cellar.testing.k8s.KubeNodeMain --env-file FILE [--until-signal]
 * </pre>
 *
 * <p>The env file, written atomically once the node is Ready: {@code KUBECONFIG}, {@code KUBECTL},
 * {@code NODE_NAME}, {@code NODE_WORK}, {@code KUBELET_ROOT}, {@code CONTAINERD_SOCKET}, {@code
 * NODE_PID} and one {@code NAME_IMAGE} per image.
 *
 * <p>Thread safety: a program; its main thread only.
 */
public final class KubeNodeMain {
  private KubeNodeMain() {}

  /**
   * Runs the node.
   *
   * @param args {@code --env-file FILE [--until-signal]}
   */
  public static void main(String[] args) throws Exception {
    Path envFile = null;
    boolean untilSignal = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--env-file" -> envFile = i + 1 < args.length ? Path.of(args[++i]) : null;
        case "--until-signal" -> untilSignal = true;
        default -> {
          System.err.println("usage: KubeNodeMain --env-file FILE [--until-signal]");
          System.exit(2);
        }
      }
    }
    if (envFile == null) {
      System.err.println("usage: KubeNodeMain --env-file FILE [--until-signal]");
      System.exit(2);
    }
    NodeImages images = NodeImages.build();
    KubeNode node = KubeNode.start(images);
    writeEnv(envFile, node, images);
    System.err.println("cellar k8s: node ready; environment in " + envFile);
    if (untilSignal) {
      Thread.currentThread().join(); // the node's shutdown hook tears it down on SIGTERM
    }
    while (System.in.read() >= 0) {
      // wait for the end of stdin
    }
    try {
      node.close();
    } catch (RuntimeException e) {
      System.err.println("cellar k8s: " + e.getMessage());
      System.exit(1);
    }
    System.exit(0);
  }

  private static void writeEnv(Path envFile, KubeNode node, NodeImages images) throws IOException {
    StringBuilder env = new StringBuilder();
    line(env, "KUBECONFIG", node.kubeconfig().toString());
    line(env, "KUBECTL", KubeTools.locate().binary("kubectl").toString());
    line(env, "NODE_NAME", node.nodeName());
    line(env, "NODE_WORK", node.workDir().toString());
    line(env, "KUBELET_ROOT", node.kubeletRoot().toString());
    line(env, "CONTAINERD_SOCKET", node.containerdSocket().toString());
    line(env, "NODE_PID", Long.toString(ProcessHandle.current().pid()));
    line(env, "NODE_STARTUP_MS", Long.toString(node.startupTime().toMillis()));
    for (String name : NodeImages.NAMES) {
      line(env, name + "_IMAGE", images.tag(name));
    }
    Path tmp = envFile.resolveSibling(envFile.getFileName() + ".tmp");
    Files.writeString(tmp, env);
    Files.move(tmp, envFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void line(StringBuilder env, String key, String value) {
    if (!value.matches("[A-Za-z0-9_./:@=+-]*")) {
      throw new IllegalArgumentException("not safe in an env file: " + key + "=" + value);
    }
    env.append(key).append('=').append(value).append('\n');
  }
}
