package io.cellar.bench.load;

import io.cellar.client.IpcClient;
import io.cellar.client.ProtocolClient;
import io.cellar.client.RpcClient;
import io.cellar.client.data.Tensor;
import io.cellar.client.data.Values;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One Java client of the mixed load: over IPC, puts a 4 KiB tensor, gets it back and checks it,
 * persists and names it, looks the name up, drops it and deletes the tensor, again and again until
 * the deadline; over RPC, the same without the names (bytes inline). Every exception is an error:
 * the load provokes none.
 *
 * <p>Runs on its own thread with its own connection; its {@link OpTimes} is read after it ends.
 */
final class JavaClientLoop implements Callable<JavaClientLoop.Outcome> {
  /** What one client did: its latencies and its errors. */
  record Outcome(OpTimes times, List<String> errors) {}

  private final Path socket;
  private final String rpcHost;
  private final int rpcPort;
  private final int index;
  private final long deadlineNanos;

  /**
   * A client.
   *
   * @param socket the IPC socket, or null for an RPC client
   * @param rpcHost the RPC host (RPC clients)
   * @param rpcPort the RPC port (RPC clients)
   * @param index this client's number, for its names
   * @param deadlineNanos when to stop, on {@link System#nanoTime()}
   */
  JavaClientLoop(Path socket, String rpcHost, int rpcPort, int index, long deadlineNanos) {
    this.socket = socket;
    this.rpcHost = rpcHost;
    this.rpcPort = rpcPort;
    this.index = index;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public Outcome call() {
    OpTimes times = new OpTimes();
    boolean rpc = socket == null;
    String kind = rpc ? "java rpc" : "java";
    try (ProtocolClient client =
        rpc ? RpcClient.connect(rpcHost, rpcPort) : IpcClient.connect(socket)) {
      long n = 0;
      while (System.nanoTime() < deadlineNanos) {
        long[] values = new long[512];
        Arrays.setAll(values, i -> i * 3 + index);
        long t = System.nanoTime();
        Tensor put = Values.putTensor(client, Tensor.of(values, values.length));
        t = lap(times, kind + " put 4 KiB", t);
        Tensor got = Values.getTensor(client, put.id());
        t = lap(times, kind + " get", t);
        if (!Arrays.equals(values, got.toLongArray())) {
          throw new IllegalStateException("tensor " + put.id() + " came back different");
        }
        if (!rpc) {
          String name = "load/java/" + index + "/" + n;
          t = System.nanoTime();
          client.persist(put.id());
          t = lap(times, kind + " persist", t);
          client.putName(put.id(), name);
          t = lap(times, kind + " put_name", t);
          long found = client.getName(name, false);
          t = lap(times, kind + " get_name", t);
          if (found != put.id()) {
            throw new IllegalStateException("name " + name + " points elsewhere");
          }
          client.dropName(name);
          t = lap(times, kind + " drop_name", t);
        }
        t = System.nanoTime();
        client.delete(List.of(put.id()), false, true);
        lap(times, kind + " delete", t);
        n++;
      }
      return new Outcome(times, List.of());
    } catch (Exception e) {
      return new Outcome(times, List.of(kind + " client " + index + ": " + e));
    }
  }

  private static long lap(OpTimes times, String op, long start) {
    long now = System.nanoTime();
    times.add(op, (now - start) / 1000);
    return now;
  }
}
