package io.cellar.testing.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A real one-node Kubernetes on loopback: the {@link KubeControlPlane} (without kwok; the API
 * server on 127.0.0.1:443, Services in 127.0.0.0/24, the Node authorizer) plus containerd and runc
 * from Debian and the kubelet, with the settings of {@code reference/k8s-node.md}. Pods run for
 * real, from images imported with {@link #importImage}; every pod must use {@code hostNetwork}: an
 * admission policy refuses the others and a {@link LoopbackGuard} fails the node if one is
 * scheduled anyway or if an interface, address or route appears on the host.
 *
 * <pre>{@code
 * NodeImages images = NodeImages.build();
 * try (KubeNode node = KubeNode.start(images)) {
 *   node.kubectl().apply(manifest); // pods with hostNetwork: true, imagePullPolicy: Never
 * }
 * }</pre>
 *
 * <p>{@link #close()} deletes every pod, stops the kubelet, the containers and containerd, unmounts
 * what was mounted, restores the kubelet's sysctls, removes the host paths and cgroups that were
 * not there before, stops the control plane, and then compares the host with what it was before the
 * start: any difference (or a guard violation during the run) fails the close. One node per machine
 * at a time (port 443 and the host paths): a file lock makes a second one wait.
 *
 * <p>Needs root, containerd, runc, {@code ip} and the loopback CNI plugin in {@code /usr/lib/cni}
 * ({@code test-support/k8s/node-deps.sh} installs them).
 *
 * <p>Thread safety: the accessors and kubectl are safe from any thread; {@link #close()} is
 * idempotent.
 */
public final class KubeNode implements AutoCloseable {
  private static final Path LOCK = Path.of("/run/lock/cellar-kube-node.lock");
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);

  private final HostState before;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final KubeTools tools;
  private final NodeFiles files;
  private final ProcessGroup processes = new ProcessGroup();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook = new Thread(this::closeQuietly, "kube-node-shutdown");
  private final List<Path> mountPrefixes;
  private KubeControlPlane plane;
  private LoopbackGuard guard;
  private volatile Duration startupTime;

  private KubeNode(
      HostState before,
      FileChannel lockChannel,
      FileLock lock,
      KubeTools tools,
      NodeFiles files,
      List<Path> mountPrefixes) {
    this.before = before;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.tools = tools;
    this.files = files;
    this.mountPrefixes = mountPrefixes;
  }

  /**
   * Starts the node with the images' pause image as the sandbox and imports all of the images.
   *
   * @param images the images (see {@link NodeImages#build()})
   * @return the running node; close it
   * @throws IllegalStateException if something does not come up; the message has every log's tail
   */
  public static KubeNode start(NodeImages images) {
    return start(images, Path.of(System.getProperty("java.io.tmpdir")));
  }

  /**
   * Starts the node with its work directories under {@code workParent}.
   *
   * @param images the images
   * @param workParent where the node's and the control plane's work directories go
   * @return the running node
   */
  public static KubeNode start(NodeImages images, Path workParent) {
    requireRoot();
    KubeTools tools = KubeTools.locate();
    FileChannel channel = null;
    KubeNode node = null;
    try {
      Files.createDirectories(LOCK.getParent());
      channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.lock();
      Path root = Files.createTempDirectory(workParent, "cellar-node-");
      int[] ports = FreePorts.next(2);
      NodeFiles files = new NodeFiles(root, images.tag("PAUSE"), ports[0], ports[1]);
      List<Path> prefixes = new ArrayList<>(HostState.WATCHED);
      prefixes.add(root);
      prefixes.add(Path.of("/sys/fs/cgroup"));
      HostState before = HostState.read(prefixes);
      node = new KubeNode(before, channel, lock, tools, files, List.copyOf(prefixes));
      node.boot(images, workParent);
      return node;
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String tails = node == null ? "" : node.logTails(40);
      IllegalStateException failure =
          new IllegalStateException(
              "the Kubernetes node did not start: " + e.getMessage() + "\n" + tails, e);
      if (node != null) {
        try {
          node.close();
        } catch (RuntimeException closing) {
          failure.addSuppressed(closing);
        }
      } else if (channel != null) {
        try {
          channel.close();
        } catch (IOException closing) {
          failure.addSuppressed(closing);
        }
      }
      throw failure;
    }
  }

  private static void requireRoot() {
    String user = System.getProperty("user.name");
    if (!"root".equals(user)) {
      throw new IllegalStateException(
          "a real Kubernetes node needs root (mounts, cgroups, containerd); running as " + user);
    }
  }

  /** Whether this JVM runs as root (what {@link #start} needs). */
  public static boolean canRun() {
    return "root".equals(System.getProperty("user.name"));
  }

  private void boot(NodeImages images, Path workParent) throws IOException, InterruptedException {
    long begin = System.nanoTime();
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    for (Path dir : files.directories()) {
      Files.createDirectories(dir);
    }
    Files.writeString(files.containerdConfig(), files.containerdToml());
    Files.writeString(files.cniDir().resolve("10-lo-only.conflist"), NodeFiles.loopbackCni());
    Files.writeString(files.kubeletConfig(), files.kubeletYaml());
    // bidirectional mount propagation (CSI) needs a shared mount; / is private here
    run("mount", "--bind", files.kubeletRoot().toString(), files.kubeletRoot().toString());
    run("mount", "--make-rshared", files.kubeletRoot().toString());

    processes.launch(
        "containerd",
        files.containerdCommand(),
        files.root(),
        files.logs().resolve("containerd.log"),
        Map.of());
    await(
        "containerd's socket", () -> ctr("version").isEmpty() ? Optional.empty() : Optional.of(1));
    for (String name : NodeImages.NAMES) {
      importImage(images.archive(name));
    }
    long imported = System.nanoTime();

    String kubeletToken = Credentials.newToken();
    plane =
        KubeControlPlane.builder()
            .nodes(0)
            .apiServerPort(443)
            .serviceClusterIpRange("127.0.0.0/24")
            .kubelet(NodeFiles.NODE_NAME, kubeletToken)
            .workParent(workParent)
            .tools(tools)
            .start();
    Kubeconfig.write(
        files.kubeletKubeconfig(),
        plane.apiServerUrl(),
        plane.caCertificate(),
        "system:node:" + NodeFiles.NODE_NAME,
        kubeletToken);
    plane.kubectl().apply(LoopbackGuard.ADMISSION_POLICY);

    processes.launch(
        "kubelet",
        files.kubeletCommand(tools),
        files.root(),
        files.logs().resolve("kubelet.log"),
        Map.of());
    await(
        "node " + NodeFiles.NODE_NAME + " Ready",
        () -> {
          JsonNode node =
              plane.kubectl().json("get", "nodes", NodeFiles.NODE_NAME, "--ignore-not-found");
          for (JsonNode c : node.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")
                && c.path("status").asText().equals("True")) {
              return Optional.of(true);
            }
          }
          return Optional.empty();
        });
    guard = LoopbackGuard.start(plane.kubectl(), before.network());
    startupTime = Duration.ofNanos(System.nanoTime() - begin);
    System.err.printf(
        "cellar k8s: real node %s up in %d ms (images imported in %d ms; work dir %s)%n",
        NodeFiles.NODE_NAME, startupTime.toMillis(), (imported - begin) / 1_000_000, files.root());
  }

  /**
   * Waits until a pod has run to its end.
   *
   * @param namespace the pod's namespace
   * @param name its name
   * @param timeout how long it may take
   * @return {@code Succeeded} or {@code Failed}
   * @throws IllegalStateException if it has not ended in time
   */
  public String awaitPodEnd(String namespace, String name, Duration timeout)
      throws InterruptedException {
    return Poll.until(
        "pod " + namespace + "/" + name + " Succeeded or Failed",
        timeout,
        () -> {
          String phase =
              plane
                  .kubectl()
                  .run("get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.phase}")
                  .strip();
          return phase.equals("Succeeded") || phase.equals("Failed")
              ? Optional.of(phase)
              : Optional.empty();
        },
        processes::firstDeath);
  }

  /** The control plane the node belongs to. */
  public KubeControlPlane plane() {
    return plane;
  }

  /** kubectl as the admin. */
  public Kubectl kubectl() {
    return plane.kubectl();
  }

  /** The admin kubeconfig. */
  public Path kubeconfig() {
    return plane.kubeconfig();
  }

  /** The node's name (and its InternalIP): {@code 127.0.0.1}. */
  public String nodeName() {
    return NodeFiles.NODE_NAME;
  }

  /** containerd's socket. */
  public Path containerdSocket() {
    return files.containerdSocket();
  }

  /** The kubelet's {@code --root-dir} (a shared mount). */
  public Path kubeletRoot() {
    return files.kubeletRoot();
  }

  /** The node's work directory (removed by {@link #close()}). */
  public Path workDir() {
    return files.root();
  }

  /** How long the start took, images imported and node Ready (null while starting). */
  public Duration startupTime() {
    return startupTime;
  }

  /** What the loopback guard has seen so far: pods without hostNetwork, network changes. */
  public List<String> violations() {
    return guard == null ? List.of() : guard.violations();
  }

  /**
   * Imports a docker-archive into containerd's {@code k8s.io} namespace.
   *
   * @param archive the tarball
   */
  public void importImage(Path archive) throws InterruptedException {
    String out = ctr("images", "import", archive.toString());
    if (out.isEmpty()) {
      throw new IllegalStateException("ctr images import " + archive + " failed");
    }
  }

  /**
   * Runs {@code ctr} against this node's containerd, in namespace {@code k8s.io}.
   *
   * @param args the arguments
   * @return its stdout, or empty if it failed
   */
  public Optional<String> ctrOutput(String... args) throws InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of("ctr", "--address", files.containerdSocket().toString(), "-n", "k8s.io"));
    command.addAll(List.of(args));
    CommandRunner.Result r =
        CommandRunner.run(command, files.root(), Map.of(), null, COMMAND_TIMEOUT);
    return r.succeeded() ? Optional.of(r.stdout()) : Optional.empty();
  }

  private String ctr(String... args) throws InterruptedException {
    return ctrOutput(args).orElse("");
  }

  /**
   * The last lines of every log (containerd, kubelet, then the control plane's).
   *
   * @param lines lines per log
   * @return the tails
   */
  public String logTails(int lines) {
    return processes.tails(lines) + (plane == null ? "" : plane.logTails(lines));
  }

  /**
   * Tears the node down and checks the host is as it was; see the class comment.
   *
   * @throws IllegalStateException listing what is left or was violated
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<String> problems = new ArrayList<>();
    long begin = System.nanoTime();
    try {
      if (guard != null) {
        guard.stop();
        problems.addAll(guard.violations());
      }
      teardown(problems);
      HostState after = HostState.read(mountPrefixes);
      for (String d : after.differencesFrom(before)) {
        problems.add("host not restored: " + d);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problems.add("interrupted during teardown");
    } catch (RuntimeException e) {
      problems.add("teardown failed: " + e);
    } finally {
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        problems.add("could not release " + LOCK + ": " + e);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: this is the hook
      }
    }
    System.err.printf(
        "cellar k8s: real node down in %d ms%s%n",
        (System.nanoTime() - begin) / 1_000_000,
        problems.isEmpty() ? ", host restored" : ": " + problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the node's teardown: " + String.join("; ", problems));
    }
  }

  private void teardown(List<String> problems) throws InterruptedException {
    if (plane != null && processes.pids().containsKey("kubelet")) {
      // pods first, while the kubelet can still unmount their volumes
      try {
        plane
            .kubectl()
            .run(
                null,
                COMMAND_TIMEOUT,
                List.of(
                    "delete",
                    "pods",
                    "--all",
                    "--all-namespaces",
                    "--grace-period=5",
                    "--wait=true",
                    "--timeout=90s"));
      } catch (RuntimeException e) {
        problems.add("deleting the pods: " + e.getMessage());
      }
    }
    processes.stop("kubelet", STOP_GRACE);
    if (processes.pids().containsKey("containerd")) {
      for (String id : ctr("tasks", "ls", "-q").lines().filter(l -> !l.isBlank()).toList()) {
        ctr("tasks", "kill", "-s", "SIGKILL", id);
      }
      Poll.until(
          "containerd's tasks gone",
          Duration.ofSeconds(20),
          () -> {
            for (String id : ctr("tasks", "ls", "-q").lines().filter(l -> !l.isBlank()).toList()) {
              ctr("tasks", "delete", "--force", id);
            }
            return ctr("tasks", "ls", "-q").isBlank() ? Optional.of(true) : Optional.empty();
          },
          () -> null);
    }
    processes.stop("containerd", STOP_GRACE);
    killLeftovers(problems);
    unmountUnder(files.root(), problems);
    for (Path watched : HostState.WATCHED.reversed()) {
      unmountUnder(watched, problems);
    }
    // the kubelet's sysctls
    before
        .sysctls()
        .forEach(
            (key, value) -> {
              try {
                Files.writeString(Path.of("/proc/sys").resolve(key), value + "\n");
              } catch (IOException e) {
                problems.add("could not restore sysctl " + key + ": " + e);
              }
            });
    // host paths created by the kubelet or containerd
    for (Map.Entry<Path, java.util.Set<String>> e : before.paths().entrySet()) {
      Path p = e.getKey();
      if (!Files.exists(p)) {
        continue;
      }
      if (e.getValue() == null) {
        deleteTree(p, problems);
      } else {
        try (Stream<Path> list = Files.list(p)) {
          for (Path child : list.toList()) {
            if (!e.getValue().contains(child.getFileName().toString())) {
              deleteTree(child, problems);
            }
          }
        } catch (IOException x) {
          problems.add("could not list " + p + ": " + x);
        }
      }
    }
    // cgroups, leaves first, after whatever still runs in them (a container that containerd was
    // starting as it stopped leaves a "runc init" there that no work-dir mark names)
    List<Path> cgroups = new ArrayList<>(HostState.readKubepodsCgroups());
    cgroups.removeAll(before.kubepodsCgroups());
    cgroups.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    killCgroupMembers(cgroups, problems);
    for (Path cg : cgroups) {
      try {
        Files.deleteIfExists(cg);
      } catch (IOException x) {
        problems.add("could not remove cgroup " + cg + ": " + x);
      }
    }
    if (plane != null) {
      try {
        plane.close();
      } catch (RuntimeException x) {
        problems.add(x.getMessage());
      }
    }
    deleteTree(files.root(), problems);
  }

  /** Kills every process left in the node's own cgroups and waits until they have gone. */
  private static void killCgroupMembers(List<Path> cgroups, List<String> problems)
      throws InterruptedException {
    List<ProcessHandle> members = new ArrayList<>();
    for (Path cg : cgroups) {
      Path procs = cg.resolve("cgroup.procs");
      try {
        for (String line : Files.readAllLines(procs)) {
          if (!line.isBlank()) {
            ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(members::add);
          }
        }
      } catch (IOException | NumberFormatException e) {
        // the cgroup went meanwhile, or has no such file in this hierarchy
      }
    }
    if (members.isEmpty()) {
      return;
    }
    members.forEach(ProcessHandle::destroyForcibly);
    try {
      Poll.until(
          "processes in the node's cgroups gone",
          Duration.ofSeconds(10),
          () ->
              members.stream().noneMatch(ProcessHandle::isAlive)
                  ? Optional.of(true)
                  : Optional.empty(),
          () -> null);
    } catch (IllegalStateException e) {
      problems.add("processes still in the node's cgroups: " + members);
    }
  }

  /** Container shims and container processes of this node that outlived containerd. */
  private void killLeftovers(List<String> problems) throws InterruptedException {
    String mark = files.root().toString();
    List<ProcessHandle> left =
        ProcessHandle.allProcesses().filter(p -> belongsHere(p, mark)).toList();
    left.forEach(ProcessHandle::destroyForcibly);
    Poll.until(
        "the node's leftover processes gone",
        Duration.ofSeconds(10),
        () -> left.stream().anyMatch(ProcessHandle::isAlive) ? Optional.empty() : Optional.of(true),
        () -> null);
    List<Long> still =
        ProcessHandle.allProcesses()
            .filter(p -> belongsHere(p, mark))
            .map(ProcessHandle::pid)
            .toList();
    if (!still.isEmpty()) {
      problems.add("processes of the node still running: " + still);
    }
  }

  /** A process whose command line or root directory is inside the node's work directory. */
  private static boolean belongsHere(ProcessHandle p, String mark) {
    if (p.pid() == ProcessHandle.current().pid()) {
      return false;
    }
    try {
      Path proc = Path.of("/proc", Long.toString(p.pid()));
      String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
      if (cmdline.contains(mark)) {
        return true;
      }
      return Files.readSymbolicLink(proc.resolve("root")).toString().startsWith(mark);
    } catch (IOException | RuntimeException e) {
      return false; // gone meanwhile, or not ours to read
    }
  }

  private static void unmountUnder(Path dir, List<String> problems) throws InterruptedException {
    List<String> points =
        HostState.readMountPoints().stream()
            .filter(m -> Path.of(m).startsWith(dir))
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
    for (String m : points) {
      CommandRunner.Result r =
          CommandRunner.run(
              List.of("umount", "-l", m), Path.of("/"), Map.of(), null, COMMAND_TIMEOUT);
      if (!r.succeeded() && HostState.readMountPoints().contains(m)) {
        problems.add("could not unmount " + m + ": " + r.stderr().strip());
      }
    }
  }

  private static void deleteTree(Path root, List<String> problems) {
    if (!Files.exists(root)) {
      return;
    }
    // never walk into a mount (a hostPath of a pod would be the host's own files)
    List<String> mounted =
        HostState.readMountPoints().stream().filter(m -> Path.of(m).startsWith(root)).toList();
    if (!mounted.isEmpty()) {
      problems.add("not removing " + root + ": still mounted below it: " + mounted);
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      problems.add("could not remove " + root + ": " + e);
    }
  }

  private void run(String... command) throws InterruptedException {
    CommandRunner.Result r =
        CommandRunner.run(List.of(command), files.root(), Map.of(), null, COMMAND_TIMEOUT);
    if (!r.succeeded()) {
      throw new IllegalStateException(String.join(" ", command) + ": " + r.stderr().strip());
    }
  }

  private <T> T await(String what, Poll.Probe<T> probe) throws InterruptedException {
    return Poll.until(what, START_TIMEOUT, probe, processes::firstDeath);
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println("cellar k8s: " + e.getMessage());
    }
  }
}
