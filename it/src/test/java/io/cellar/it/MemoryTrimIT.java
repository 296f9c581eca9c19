package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.testing.daemon.VineyarddExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Freed shared memory goes back to the system, as the real Python client sees it: the upstream
 * client's own {@code test_memory_trim} ({@code core/tests/test_client.py} in the installed {@code
 * vineyard} package) run with pytest against Cellar. It puts eight arrays of 128 MB, checks after
 * each that the host's {@code Shmem} ({@code /proc/meminfo}) grew by at least the arrays put before
 * it, deletes them with {@code memory_trim=True} and checks that {@code Shmem} came back to within
 * two arrays of where it started. It is the only upstream single-server test that trims (the other
 * uses of {@code memory_trim} in the package are the client's own API).
 *
 * <p>Runs on the default backing of this host and the default prefill window (256 MiB): the window,
 * filled while the store idles, must not stay filled after an explicit trim, or the last check
 * fails ({@code 256 MiB > 2 × 128 MB}). {@link HugeTmpfsIT} runs the same test on a huge tmpfs. The
 * check reads the whole host's {@code Shmem}: another process allocating shared memory during the
 * run can fail it.
 */
@Timeout(600)
class MemoryTrimIT {
  /** Eight arrays of 128 MB at once, plus room for fragmentation. */
  @RegisterExtension static final VineyarddExtension SERVER = Servers.cellar("2G");

  /**
   * Runs the upstream {@code test_memory_trim} against a server.
   *
   * @param socket the server's IPC socket
   * @return pytest's output (pytest failing is an {@link AssertionError} with its output)
   */
  static String runUpstreamMemoryTrim(Path socket) throws Exception {
    PythonEnvironment python = PythonEnvironment.get();
    Path tests = python.packageDirectory().resolve("core/tests/test_client.py::test_memory_trim");
    return python.runPytest(python.packageDirectory(), tests, "--vineyard-ipc-socket=" + socket);
  }

  @Test
  void theUpstreamClientsMemoryTrimTestPassesUnderPytest() throws Exception {
    long before = Meminfo.bytes("Shmem:");
    String out = runUpstreamMemoryTrim(SERVER.socket());
    System.out.printf(
        "memory trim (%s): Shmem %d -> %d MiB around the upstream test%n",
        SERVER.kind(), before >> 20, Meminfo.bytes("Shmem:") >> 20);
    assertTrue(out.contains("1 passed"), out);
  }
}
