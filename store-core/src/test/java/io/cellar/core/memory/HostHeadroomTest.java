package io.cellar.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostHeadroomTest {
  private static final long MB = 1L << 20;
  private static final long STEP = ArenaPrefiller.STEP;
  private static final String CALM = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

  @TempDir Path root;

  private void write(String relative, String content) throws IOException {
    Path p = root.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  private void host(long totalMb, long availableMb) throws IOException {
    write(
        "proc/meminfo",
        "MemTotal: " + (totalMb << 10) + " kB\nMemAvailable: " + (availableMb << 10) + " kB\n");
    write("proc/pressure/memory", CALM);
    write("proc/pressure/cpu", CALM);
  }

  @Test
  void aCalmRoomyHostLetsTheStepGo() throws IOException {
    host(16384, 12000);
    write("proc/self/cgroup", "0::/\n");
    assertNull(new HostHeadroom(root, 2).refusal(STEP));
    assertEquals(Long.MAX_VALUE, new HostHeadroom(root, 2).cgroupRoom(), "no limit anywhere");
  }

  @Test
  void systemMemoryKeepsAnEighthFree() throws IOException {
    host(8192, 1026);
    write("proc/self/cgroup", "0::/\n");
    assertNull(new HostHeadroom(root, 2).refusal(STEP), "1026 - 2 >= 1024");
    String r = new HostHeadroom(root, 2).refusal(4 * MB);
    assertTrue(r != null && r.startsWith("MemAvailable 1026 MiB"), r);
  }

  @Test
  void cgroupV2UsesTheLowerOfMemoryHighAndMax() throws IOException {
    host(16384, 12000);
    write("proc/self/cgroup", "0::/jobs/store\n");
    write("sys/fs/cgroup/jobs/store/memory.max", "max\n");
    write("sys/fs/cgroup/jobs/store/memory.high", (1024 * MB) + "\n");
    write("sys/fs/cgroup/jobs/store/memory.current", (894 * MB) + "\n");
    HostHeadroom h = new HostHeadroom(root, 2);
    assertEquals(2 * MB, h.cgroupRoom(), "7/8 of 1 GiB is 896 MiB");
    assertNull(h.refusal(STEP));
    write("sys/fs/cgroup/jobs/store/memory.current", (895 * MB) + "\n");
    String r = h.refusal(STEP);
    assertTrue(r != null && r.startsWith("cgroup memory limit"), r);
    write("sys/fs/cgroup/jobs/store/memory.high", "max\n");
    write("sys/fs/cgroup/jobs/store/memory.max", (2048 * MB) + "\n");
    assertNull(h.refusal(STEP), "memory.max alone: 1792 MiB");
  }

  @Test
  void cgroupV1AndANamespacedMountAreFound() throws IOException {
    host(16384, 12000);
    write("proc/self/cgroup", "5:devices:/\n4:memory:/process_api/abc\n0::/\n");
    write("sys/fs/cgroup/memory/memory.limit_in_bytes", (512 * MB) + "\n");
    write("sys/fs/cgroup/memory/memory.usage_in_bytes", (447 * MB) + "\n");
    HostHeadroom h = new HostHeadroom(root, 2);
    assertEquals(
        1 * MB, h.cgroupRoom(), "the path is not under the mount: the mount is the cgroup");
    assertTrue(h.refusal(STEP).startsWith("cgroup memory limit"));
    write("sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes", "9223372036854771712\n");
    write("sys/fs/cgroup/memory/process_api/abc/memory.usage_in_bytes", (447 * MB) + "\n");
    assertEquals(Long.MAX_VALUE, h.cgroupRoom(), "its own directory: unlimited");
  }

  @Test
  void stallsOnMemoryOrCpuMakeItWait() throws IOException {
    host(16384, 12000);
    write("proc/self/cgroup", "0::/\n");
    write(
        "proc/pressure/memory",
        "some avg10=1.50 avg60=0.20 avg300=0.00 total=10\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    assertTrue(
        new HostHeadroom(root, 2).refusal(STEP).startsWith("memory pressure: some avg10=1.5"));
    write("proc/pressure/memory", CALM);
    write("proc/pressure/cpu", "some avg10=35.00 avg60=10.00 avg300=2.00 total=99\n");
    assertTrue(new HostHeadroom(root, 2).refusal(STEP).startsWith("cpu pressure"));
    write("proc/pressure/cpu", "some avg10=19.99 avg60=10.00 avg300=2.00 total=99\n");
    assertNull(new HostHeadroom(root, 2).refusal(STEP));
  }

  @Test
  void withoutPsiTheLoadAverageStandsInForCpu() throws IOException {
    write("proc/meminfo", "MemTotal: 16777216 kB\nMemAvailable: 12000000 kB\n");
    write("proc/self/cgroup", "0::/\n");
    write("proc/loadavg", "2.50 1.00 0.50 3/200 1234\n");
    assertTrue(new HostHeadroom(root, 2).refusal(STEP).startsWith("load average 2.5"));
    assertNull(new HostHeadroom(root, 4).refusal(STEP));
  }
}
