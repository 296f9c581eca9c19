package io.cellar.testing.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What a kubelet and containerd change on the host, read at one moment: the sysctls the kubelet
 * sets, the host paths they create (each with its entries), the mount points, the {@code kubepods}
 * cgroups of every v1 hierarchy, and the network interfaces, addresses and routes. {@link KubeNode}
 * takes one before it starts anything, restores the host from it on close and compares a second one
 * with it: any difference fails the close.
 *
 * <p>Immutable; safe from any thread.
 *
 * @param sysctls {@code /proc/sys} path to value
 * @param paths each watched host path to its sorted entries, or null when it did not exist
 * @param mountPoints the mount points of {@code /proc/self/mountinfo}
 * @param kubepodsCgroups every {@code kubepods*} cgroup directory under {@code /sys/fs/cgroup}
 * @param network interfaces, addresses and routes as {@code ip -o} prints them
 */
record HostState(
    Map<String, String> sysctls,
    Map<Path, Set<String>> paths,
    Set<String> mountPoints,
    Set<Path> kubepodsCgroups,
    Set<String> network) {

  /** The sysctls the kubelet sets (k8s-node.md). */
  static final List<String> SYSCTLS =
      List.of("vm/overcommit_memory", "kernel/panic", "kernel/panic_on_oops");

  /**
   * Host paths the kubelet or containerd create whatever their configured roots (the device-plugin
   * socket and the container log links are hard-coded; /run/netns is containerd's; the others are
   * defaults this harness overrides, watched to prove it).
   */
  static final List<Path> WATCHED =
      Stream.of(
              "/var/lib/kubelet",
              "/var/lib/kubelet/device-plugins",
              "/var/log/containers",
              "/var/log/pods",
              "/run/netns",
              "/run/containerd",
              "/var/lib/containerd",
              "/opt/containerd",
              "/var/lib/cni",
              "/etc/cni/net.d",
              "/usr/libexec/kubernetes")
          .map(Path::of)
          .toList();

  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Reads the host now.
   *
   * @param mountPrefixes only mount points under these count (other processes on the machine, the
   *     CSI tests of other builds say, mount and unmount elsewhere meanwhile)
   * @return the state
   */
  static HostState read(List<Path> mountPrefixes) throws InterruptedException {
    Map<String, String> sysctls = new LinkedHashMap<>();
    for (String key : SYSCTLS) {
      sysctls.put(key, readString(Path.of("/proc/sys").resolve(key)).strip());
    }
    Map<Path, Set<String>> paths = new LinkedHashMap<>();
    for (Path p : WATCHED) {
      paths.put(p, entries(p));
    }
    Set<String> mounts = new TreeSet<>();
    for (String m : readMountPoints()) {
      if (mountPrefixes.stream().anyMatch(prefix -> Path.of(m).startsWith(prefix))) {
        mounts.add(m);
      }
    }
    return new HostState(sysctls, paths, mounts, readKubepodsCgroups(), readNetwork());
  }

  /** The host's network as {@code ip -o} shows it: links (name only), addresses, all routes. */
  static Set<String> readNetwork() throws InterruptedException {
    Set<String> lines = new TreeSet<>();
    for (String line : ip("-o", "link", "show")) {
      String[] f = line.split(":\\s+", 3);
      if (f.length >= 2) {
        lines.add("link " + f[1].strip());
      }
    }
    for (String line : ip("-o", "addr", "show")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4) {
        lines.add("addr " + f[1] + " " + f[2] + " " + f[3]);
      }
    }
    for (String line : ip("route", "show", "table", "all")) {
      lines.add("route " + line.strip());
    }
    for (String line : ip("-6", "route", "show", "table", "all")) {
      lines.add("route6 " + line.strip());
    }
    return lines;
  }

  /**
   * What differs from {@code before}, one line per difference; empty when the host is as it was.
   *
   * @param before the earlier state
   * @return the differences
   */
  List<String> differencesFrom(HostState before) {
    List<String> out = new ArrayList<>();
    before.sysctls.forEach(
        (k, v) -> {
          if (!v.equals(sysctls.get(k))) {
            out.add("sysctl " + k + " was " + v + ", is " + sysctls.get(k));
          }
        });
    before.paths.forEach(
        (p, was) -> {
          Set<String> is = paths.get(p);
          if (!Objects.equals(was, is)) {
            out.add(
                p
                    + (was == null ? " did not exist" : " had " + was)
                    + ", "
                    + (is == null ? "does not exist" : "has " + is));
          }
        });
    diff(out, "mount point", before.mountPoints, mountPoints);
    diff(out, "cgroup", stringSet(before.kubepodsCgroups), stringSet(kubepodsCgroups));
    diff(out, "network", before.network, network);
    return out;
  }

  private static Set<String> stringSet(Set<Path> paths) {
    Set<String> out = new TreeSet<>();
    paths.forEach(p -> out.add(p.toString()));
    return out;
  }

  private static void diff(List<String> out, String what, Set<String> before, Set<String> after) {
    for (String s : after) {
      if (!before.contains(s)) {
        out.add("new " + what + ": " + s);
      }
    }
    for (String s : before) {
      if (!after.contains(s)) {
        out.add("gone " + what + ": " + s);
      }
    }
  }

  /** Mount points, in {@code /proc/self/mountinfo} order (octal escapes kept). */
  static Set<String> readMountPoints() {
    Set<String> points = new TreeSet<>();
    for (String line : readString(Path.of("/proc/self/mountinfo")).split("\n")) {
      String[] f = line.split(" ");
      if (f.length > 4) {
        points.add(f[4]);
      }
    }
    return points;
  }

  /** Every {@code kubepods*} directory in the cgroup hierarchies, parents before children. */
  static Set<Path> readKubepodsCgroups() {
    Set<Path> found = new TreeSet<>();
    if (!Files.isDirectory(CGROUP_ROOT)) {
      return found;
    }
    try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
      for (Path h : hierarchies.toList()) {
        for (Path top : List.of(h.resolve("kubepods"), h.resolve("kubepods.slice"))) {
          if (Files.isDirectory(top)) {
            try (Stream<Path> walk = Files.walk(top)) {
              walk.filter(Files::isDirectory).forEach(found::add);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not list the cgroups under " + CGROUP_ROOT, e);
    }
    return found;
  }

  private static Set<String> entries(Path dir) {
    if (!Files.exists(dir)) {
      return null;
    }
    if (!Files.isDirectory(dir)) {
      return Set.of("(a file)");
    }
    try (Stream<Path> list = Files.list(dir)) {
      Set<String> names = new TreeSet<>();
      list.forEach(p -> names.add(p.getFileName().toString()));
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("could not list " + dir, e);
    }
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file, e);
    }
  }

  private static List<String> ip(String... args) throws InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("ip");
    command.addAll(List.of(args));
    CommandRunner.Result r = CommandRunner.run(command, Path.of("/"), Map.of(), null, IP_TIMEOUT);
    if (!r.succeeded()) {
      throw new IllegalStateException("ip " + String.join(" ", args) + ": " + r.stderr().strip());
    }
    return r.stdout().lines().filter(l -> !l.isBlank()).toList();
  }
}
