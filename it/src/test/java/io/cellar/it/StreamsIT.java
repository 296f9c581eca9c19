package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.client.IpcClient;
import io.cellar.testing.daemon.DaemonKind;
import io.cellar.testing.daemon.VineyarddExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streams between processes through the real Python client's stream classes ({@code ByteStream},
 * {@code DataframeStream}, {@code RecordBatchStream} of {@code vineyard.io}): a reader and a writer
 * in two processes ({@code it/src/test/python/stream_peers.py}), a writer killed mid-stream (its
 * reader gets StreamFailed, not a hang), a reader killed mid-stream while its writer waits for room
 * under {@code --stream_threshold} (the writer gets an error), memory back to where it was each
 * time, and the upstream client's own stream test run with pytest.
 */
@Timeout(300)
class StreamsIT {
  /** 256 MiB at 50%: chunks of 16 MiB fit while usage + 16 MiB < 128 MiB, so seven at once. */
  @RegisterExtension
  static final VineyarddExtension SERVER = Servers.cellar("256M", "--stream_threshold=50");

  private static final String SCRIPT = "stream_peers.py";

  /** A scenario process with its output read line by line. */
  private record Peer(Process process, BufferedReader out, List<String> lines) {
    static Peer start(String... args) throws Exception {
      List<String> all = new ArrayList<>(List.of(SERVER.socket().toString()));
      all.addAll(List.of(args));
      Process p =
          PythonEnvironment.get().startScenario(SCRIPT, Map.of(), all.toArray(String[]::new));
      return new Peer(
          p,
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)),
          new ArrayList<>());
    }

    /** Reads lines until one starts with the prefix; fails at the end of the output. */
    String awaitLine(String prefix) throws IOException {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        if (line.startsWith(prefix)) {
          return line;
        }
      }
      throw new AssertionError(
          "no line '" + prefix + "' from the peer:\n" + String.join("\n", lines));
    }

    /** Waits for the exit and returns the whole output; fails unless it exits 0 with "OK ". */
    String finish() throws Exception {
      String line;
      while ((line = out.readLine()) != null) { // the reader may hold buffered lines already
        lines.add(line);
      }
      String all = String.join("\n", lines);
      assertTrue(process.waitFor(120, TimeUnit.SECONDS), all);
      assertEquals(0, process.exitValue(), all);
      assertTrue(all.contains("OK "), all);
      return all;
    }

    void kill() throws InterruptedException {
      process.destroyForcibly(); // SIGKILL: no stop_stream, no exit_request
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    }
  }

  private static String create(String kind) throws Exception {
    Peer creator = Peer.start("create", kind);
    String line = creator.awaitLine("STREAM ");
    creator.finish();
    return line.split(" ")[2]; // "STREAM <repr> <decimal id>"
  }

  private static long memoryUsage(IpcClient observer) throws IOException {
    return observer.instanceStatus().memoryUsage();
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes", "dataframe", "recordbatch"})
  void aReaderAndAWriterInTwoProcessesPassEveryChunkInOrder(String kind) throws Exception {
    try (IpcClient observer = IpcClient.connect(SERVER.socket())) {
      long baseline = memoryUsage(observer);
      String id = create(kind);
      Peer reader = Peer.start("read", kind, id, "20");
      Peer writer = Peer.start("write", kind, id, "20", Integer.toString(64 * 1024));
      writer.finish();
      assertTrue(reader.finish().contains("OK stream_peers read 20"));
      // the reader's end drops the stream and its last chunk once it has gone
      Deadline.awaitTrue(
          "the stream's chunks to be reclaimed",
          Duration.ofSeconds(30),
          () -> {
            try {
              return memoryUsage(observer) <= baseline;
            } catch (IOException e) {
              return false;
            }
          });
    }
  }

  @Test
  void aWriterStoppedBeforeItsReaderStartsLeavesEveryChunkToRead() throws Exception {
    String id = create("bytes");
    Peer writer = Peer.start("write", "bytes", id, "5", "1000");
    writer.finish();
    assertTrue(Peer.start("read", "bytes", id, "5").finish().contains("OK stream_peers read 5"));
  }

  @Test
  void aKilledWriterFailsItsWaitingReader() throws Exception {
    Assumptions.assumeTrue(
        SERVER.kind() == DaemonKind.CELLAR, "the reference leaves the reader waiting for ever");
    try (IpcClient observer = IpcClient.connect(SERVER.socket())) {
      long baseline = memoryUsage(observer);
      String id = create("bytes");
      Peer reader = Peer.start("read-until-failure", "bytes", id, "2");
      Peer writer = Peer.start("write-hang", "bytes", id, "3", Integer.toString(1 << 20));
      writer.awaitLine("HANGING");
      // two chunks are ready and read, the third is still being written; the reader waits
      Deadline.await(
          "the reader to wait for its third chunk",
          Duration.ofSeconds(60),
          () -> observer.instanceStatus().deferredRequests() == 1);
      assertTrue(memoryUsage(observer) >= baseline + (1 << 20), "the chunk being written");
      writer.kill();
      String out = reader.finish();
      assertTrue(out.contains("OK stream_peers reader failed after 2 chunks"), out);
      assertTrue(out.contains("writer went away"), out);
      Deadline.await(
          "the half-written and the read chunks to be reclaimed",
          Duration.ofSeconds(30),
          () -> memoryUsage(observer) <= baseline);
    }
  }

  @Test
  void aKilledReaderFailsItsWriterWaitingForRoom() throws Exception {
    Assumptions.assumeTrue(
        SERVER.kind() == DaemonKind.CELLAR, "the reference leaves the writer waiting for ever");
    try (IpcClient observer = IpcClient.connect(SERVER.socket())) {
      long baseline = memoryUsage(observer);
      String id = create("bytes");
      Peer reader = Peer.start("read-hang", "bytes", id, "1");
      Peer writer = Peer.start("write-until-failure", "bytes", id, "0", Integer.toString(16 << 20));
      reader.awaitLine("HANGING");
      Deadline.await(
          "the writer to wait for room under the threshold",
          Duration.ofSeconds(120),
          () -> observer.instanceStatus().deferredRequests() == 1);
      long held = memoryUsage(observer);
      assertTrue(held < 128L << 20, "back-pressure kept usage under 50%: " + held);
      assertTrue(held >= baseline + (96L << 20), "six chunks or more were written: " + held);
      reader.kill();
      String out = writer.finish();
      assertTrue(out.contains("OK stream_peers writer refused"), out);
      assertTrue(out.contains("StreamFailedException"), out);
      Deadline.await(
          "every chunk to be reclaimed",
          Duration.ofSeconds(30),
          () -> memoryUsage(observer) <= baseline);
    }
  }

  @Test
  void theUpstreamClientsStreamTestPassesUnderPytest() throws Exception {
    PythonEnvironment python = PythonEnvironment.get();
    Path tests = python.packageDirectory().resolve("io/tests/test_stream.py");
    String out =
        python.runPytest(
            python.packageDirectory(), tests, "--vineyard-ipc-socket=" + SERVER.socket());
    assertTrue(out.contains("1 passed"), out);
  }
}
