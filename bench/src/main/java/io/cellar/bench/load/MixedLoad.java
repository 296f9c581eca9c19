package io.cellar.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellar.bench.client.BenchDaemons;
import io.cellar.client.IpcClient;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The mixed load of issue 15 item 6, whole-process: one {@code bin/vineyardd}, and at once Java
 * clients over IPC (put, get, persist, names, delete of 4 KiB tensors) and over RPC (put, get,
 * delete), Python processes of the real client doing the same mix ({@code bench/load/mixed_load.py
 * mixed}), and pairs of Python processes passing {@code ByteStream}s (writer and reader, found by
 * name). It reports every error reply (the load provokes none), the server's memory usage at the
 * start, at its peak and once every client has gone (it must come back to the start), and p50/p99
 * per operation.
 *
 * <p>Usage: {@code MixedLoad [seconds] [java-ipc] [java-rpc] [python-mixed] [stream-pairs]},
 * defaults {@code 60 32 8 16 4} (64 clients), run from the repository root after {@code ./mvnw
 * package}; Python is {@code $CELLAR_PYTHON} or {@code build/venv/bin/python}. Exits 1 when an
 * error was seen or the memory did not come back.
 *
 * <p>Single-threaded orchestration; each Java client runs on its own thread.
 */
public final class MixedLoad {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MixedLoad() {}

  /**
   * Runs the load and prints the report.
   *
   * @param args see the class comment
   * @throws Exception when the server or a client cannot be started
   */
  public static void main(String[] args) throws Exception {
    int seconds = arg(args, 0, 60);
    int javaIpc = arg(args, 1, 32);
    int javaRpc = arg(args, 2, 8);
    int pyMixed = arg(args, 3, 16);
    int pairs = arg(args, 4, 4);
    Path python = Path.of(System.getenv().getOrDefault("CELLAR_PYTHON", "build/venv/bin/python"));
    Path script = Path.of("bench/load/mixed_load.py");
    List<String> errors = new ArrayList<>();
    OpTimes all = new OpTimes();
    try (VineyarddProcess server = BenchDaemons.start("4G");
        IpcClient observer = IpcClient.connect(server.socket())) {
      long baseline = observer.instanceStatus().memoryUsage();
      List<Process> peers = new ArrayList<>();
      List<Path> outputs = new ArrayList<>();
      for (int i = 0; i < pyMixed; i++) {
        peers.add(python(python, script, server, "mixed", seconds, i, outputs));
      }
      for (int i = 0; i < pairs; i++) {
        peers.add(python(python, script, server, "stream-writer", seconds, i, outputs));
        peers.add(python(python, script, server, "stream-reader", seconds, i, outputs));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      ExecutorService threads = Executors.newFixedThreadPool(javaIpc + javaRpc);
      List<Future<JavaClientLoop.Outcome>> java = new ArrayList<>();
      for (int i = 0; i < javaIpc + javaRpc; i++) {
        boolean rpc = i >= javaIpc;
        java.add(
            threads.submit(
                new JavaClientLoop(
                    rpc ? null : server.socket(), "127.0.0.1", server.rpcPort(), i, deadline)));
      }
      long peak = baseline;
      long peakConnections = 0;
      while (System.nanoTime() < deadline) {
        var st = observer.instanceStatus();
        peak = Math.max(peak, st.memoryUsage());
        peakConnections = Math.max(peakConnections, st.ipcConnections() + st.rpcConnections());
        Thread.sleep(500); // sampling interval of the report, not a synchronisation
      }
      for (Future<JavaClientLoop.Outcome> f : java) {
        JavaClientLoop.Outcome o = f.get(120, TimeUnit.SECONDS);
        all.merge(o.times());
        errors.addAll(o.errors());
      }
      threads.shutdown();
      for (int i = 0; i < peers.size(); i++) {
        Process p = peers.get(i);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          errors.add("python client " + i + " did not finish");
          continue;
        }
        String out = Files.readString(outputs.get(i), StandardCharsets.UTF_8);
        readPython(out, all, errors, i);
        Files.deleteIfExists(outputs.get(i));
      }
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      long after = observer.instanceStatus().memoryUsage();
      while (after > baseline && System.nanoTime() < end) {
        Thread.sleep(100);
        after = observer.instanceStatus().memoryUsage();
      }
      int clients = javaIpc + javaRpc + pyMixed + 2 * pairs;
      System.out.printf(
          "mixed load: %d s, %d clients (%d Java IPC, %d Java RPC, %d Python mixed, %d Python"
              + " stream pairs), peak %d connections%n",
          seconds, clients, javaIpc, javaRpc, pyMixed, pairs, peakConnections);
      System.out.printf(
          "memory usage: start %d B, peak %d B, after the clients %d B (%s)%n",
          baseline, peak, after, after <= baseline ? "back to the start" : "NOT back");
      System.out.printf("error replies and failures: %d%n", errors.size());
      errors.stream().limit(20).forEach(e -> System.out.println("  " + e));
      System.out.println(all.table(seconds));
      if (!errors.isEmpty() || after > baseline) {
        System.exit(1);
      }
    }
  }

  private static Process python(
      Path python,
      Path script,
      VineyarddProcess server,
      String role,
      int seconds,
      int index,
      List<Path> outputs)
      throws IOException {
    Path out = Files.createTempFile("cellar-load-" + role, ".log");
    outputs.add(out);
    ProcessBuilder b =
        new ProcessBuilder(
                python.toString(),
                script.toString(),
                server.socket().toString(),
                role,
                Integer.toString(seconds),
                Integer.toString(index))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    b.environment().put("VINEYARD_IPC_SKIP_RETRY", "1");
    return b.start();
  }

  private static void readPython(String out, OpTimes all, List<String> errors, int i)
      throws IOException {
    int at = out.lastIndexOf("RESULT ");
    if (at < 0) {
      errors.add("python client " + i + " reported nothing:\n" + out);
      return;
    }
    JsonNode result = JSON.readTree(out.substring(at + "RESULT ".length()).trim());
    result.get("errors").forEach(e -> errors.add(e.asText()));
    OpTimes times = new OpTimes();
    result
        .get("ops")
        .properties()
        .forEach(op -> op.getValue().forEach(v -> times.add(op.getKey(), v.asLong())));
    all.merge(times);
  }

  private static int arg(String[] args, int i, int fallback) {
    return args.length > i ? Integer.parseInt(args[i]) : fallback;
  }
}
