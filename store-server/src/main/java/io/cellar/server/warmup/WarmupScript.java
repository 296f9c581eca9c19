package io.cellar.server.warmup;

import io.cellar.client.Blob;
import io.cellar.client.IpcClient;
import io.cellar.client.RpcClient;
import io.cellar.client.VineyardClient;
import io.cellar.client.data.Column;
import io.cellar.client.data.DataFrame;
import io.cellar.client.data.StringArray;
import io.cellar.client.data.Tensor;
import io.cellar.client.data.Values;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client session the warm-up plays, through Cellar's own Java client ({@link IpcClient}, {@link
 * RpcClient} and the {@link Values} layouts, which are the Python client's). A round puts a data
 * frame of tensor and string columns (each column: {@code create_buffer}, {@code seal}, {@code
 * create_data}), persists, names, looks up and lists it, reads it back (get_data, get_buffers)
 * several times, deletes it, and puts, reads and drops a byte blob; when the server serves TCP,
 * blobs and tensors then move over RPC. The first round of each always runs whole, so every path is
 * taken once (class loading and linking, the bulk of a first request's cost); more rounds follow
 * until a deadline, for the JIT. The work is what a Python pipeline step does, so the compiled code
 * is the code real clients run.
 *
 * <p>Not thread-safe: one run on one thread. It owns its client connections for the run.
 */
final class WarmupScript {
  /**
   * How much the script does.
   *
   * @param maxRounds the most IPC rounds
   * @param columns columns of each round's frame (one in eight holds strings)
   * @param rows values per column
   * @param reads reads of each round's frame before it is deleted
   * @param rpcRounds the most blob and tensor put-get rounds over RPC (when the server serves TCP)
   */
  record Plan(int maxRounds, int columns, int rows, int reads, int rpcRounds) {
    /** The daemon's warm-up. */
    static final Plan DEFAULT = new Plan(40, 16, 16, 8, 8);

    /** The rounds after the daemon listens ({@link StartupWarmup#continueInBackground}). */
    static final Plan BACKGROUND = new Plan(80, 16, 16, 8, 16);
  }

  private static final String NAME = "__cellar_warmup";

  private final Plan plan;
  private final long deadline;
  private int operations;

  private WarmupScript(Plan plan, long deadline) {
    this.plan = plan;
    this.deadline = deadline;
  }

  /**
   * Plays the script.
   *
   * @param socket the throwaway server's socket
   * @param rpcPort its loopback TCP port, or -1 to skip the RPC part
   * @param plan how much to do
   * @param deadline {@link System#nanoTime()} after which no further round starts (the first IPC
   *     and the first RPC round always run)
   * @return the number of client operations played (one to a few dozen requests each)
   * @throws IOException when the server fails or answers an error
   */
  static int play(Path socket, int rpcPort, Plan plan, long deadline) throws IOException {
    WarmupScript script = new WarmupScript(plan, deadline);
    try (IpcClient client = IpcClient.connect(socket)) {
      int round = 0;
      do {
        script.round(client, round++);
      } while (round < plan.maxRounds() && System.nanoTime() - deadline < 0);
      client.clusterMeta();
      script.operations++;
    }
    if (rpcPort > 0) {
      try (RpcClient client = RpcClient.connect("127.0.0.1", rpcPort)) {
        script.overRpc(client);
      }
    }
    return script.operations;
  }

  private void round(IpcClient client, int round) throws IOException {
    DataFrame frame = Values.putDataFrame(client, frame(round));
    long id = frame.id();
    client.persist(id);
    client.putName(id, NAME);
    client.getName(NAME, false);
    client.listNames(NAME + "*", false, 1);
    client.listData("vineyard::DataFrame", false, 1);
    client.getData(List.of(id), true); // wait=true on an existing id: answered at once
    for (int i = 0; i < plan.reads(); i++) {
      Values.getDataFrame(client, id);
    }
    client.exists(id);
    client.isPersisted(id);
    client.instanceStatus();
    client.dropName(NAME);
    client.delete(List.of(id), false, true);
    blobRoundTrip(client, round);
    operations += 13 + plan.reads();
  }

  private void overRpc(RpcClient client) throws IOException {
    int round = 0;
    do {
      blobRoundTrip(client, round);
      Tensor tensor = Values.putTensor(client, Tensor.of(new double[] {round, 1, 2, 3}));
      Values.getTensor(client, tensor.id());
      client.delete(List.of(tensor.id()), false, true);
      operations += 3;
      round++;
    } while (round < plan.rpcRounds() && System.nanoTime() - deadline < 0);
  }

  private void blobRoundTrip(VineyardClient client, int round) throws IOException {
    byte[] bytes = new byte[256 + round];
    bytes[0] = (byte) round;
    Blob blob = client.putBytes(bytes);
    client.getBlob(blob.id());
    client.dropBlob(blob.id());
    operations += 3;
  }

  private DataFrame frame(int seed) {
    Map<String, Column> columns = new LinkedHashMap<>();
    for (int c = 0; c < plan.columns(); c++) {
      String name = "c" + c;
      if (c % 8 == 7) {
        List<String> strings = new ArrayList<>(plan.rows());
        for (int r = 0; r < plan.rows(); r++) {
          strings.add("v" + (seed + r));
        }
        columns.put(name, StringArray.of(strings));
      } else if (c % 2 == 0) {
        long[] values = new long[plan.rows()];
        for (int r = 0; r < values.length; r++) {
          values[r] = (long) seed * r + c;
        }
        columns.put(name, Tensor.of(values));
      } else {
        double[] values = new double[plan.rows()];
        for (int r = 0; r < values.length; r++) {
          values[r] = seed + r * 0.5;
        }
        columns.put(name, Tensor.of(values));
      }
    }
    return DataFrame.of(columns);
  }
}
