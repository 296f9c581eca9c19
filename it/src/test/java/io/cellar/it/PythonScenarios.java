package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.client.IpcClient;
import io.cellar.client.csi.CsiPaths;
import io.cellar.client.data.DataFrame;
import io.cellar.client.data.Tensor;
import io.cellar.client.data.TensorType;
import io.cellar.client.data.Values;
import io.cellar.testing.daemon.VineyarddExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real {@code vineyard} Python client (PyPI wheel, in {@code build/venv-vineyard}) driven
 * against a server: each scenario is a script in {@code it/src/test/python} that asserts values
 * equal after the round trip and fails with its output. Subclasses pick the server (Cellar's, or
 * the reference binary when the wheel ships it, which proves the scenarios test the protocol rather
 * than our reading of it).
 */
@Timeout(600)
abstract class PythonScenarios {
  /**
   * The server under test.
   *
   * @return the running server
   */
  abstract VineyarddExtension server();

  private String run(String script, String... args) throws Exception {
    String output =
        PythonEnvironment.get()
            .runScenario(script, Map.of("VINEYARD_IPC_SOCKET", server().socket().toString()), args);
    assertTrue(output.contains("OK "), output);
    return output;
  }

  private String socket() {
    return server().socket().toString();
  }

  @AfterAll
  static void closeCsiClients() {
    CsiPaths.closeAll();
  }

  @Test
  void numpyArraysOfEveryDtypeAndLayout() throws Exception {
    run("numpy_roundtrip.py", socket());
  }

  @Test
  void oneArrayOfOneGibibyte() throws Exception {
    run("numpy_large.py", socket(), Long.toString(1L << 30));
  }

  @Test
  void pandasDataFramesWithIntFloatAndStringColumns() throws Exception {
    run("dataframe_roundtrip.py", socket());
  }

  @Test
  void persistNamesListAndDelete() throws Exception {
    run("names_persist.py", socket(), "py-names-");
  }

  @Test
  void deletingAMemberBlobWithoutForceKeepsTheObjectReadable() throws Exception {
    run("member_blob_delete.py", socket());
  }

  @Test
  void notEnoughMemoryArrivesAsItsPythonException() throws Exception {
    run("not_enough_memory.py", socket(), Long.toString(3L << 30));
  }

  @Test
  void rpcGetsABlobAndAnObject() throws Exception {
    run("rpc_get.py", socket(), "127.0.0.1", Integer.toString(server().rpcPort()));
  }

  @Test
  void csiWriteAndReadInTwoProcesses() throws Exception {
    Path mount = Files.createTempDirectory("cellar-csi");
    Files.createSymbolicLink(mount.resolve("vineyard.sock"), server().socket());
    String path = mount.resolve("data/x_train.pkl").toString();
    run("csi_roundtrip.py", "write", path);
    run("csi_roundtrip.py", "read", path);
    // and the Java CSI API reads what Python wrote
    DataFrame frame = (DataFrame) CsiPaths.read(path);
    assertArrayEquals(new long[] {0, 1, 2, 3}, frame.column("x").toLongArray());
    assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75}, frame.column("y").toDoubleArray());
  }

  @Test
  void severalPythonProcessesAtOnceWaitForEachOthersNames() throws Exception {
    int peers = 4;
    java.util.List<Process> processes = new java.util.ArrayList<>();
    for (int i = 0; i < peers; i++) {
      processes.add(
          PythonEnvironment.get()
              .startScenario(
                  "concurrent_peers.py",
                  Map.of(),
                  socket(),
                  "peer-",
                  Integer.toString(i),
                  Integer.toString(peers)));
    }
    for (Process p : processes) {
      String output =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), output);
      assertEquals(0, p.exitValue(), output);
    }
  }

  @Test
  void pythonReadsWhatJavaPut() throws Exception {
    try (IpcClient javaClient = IpcClient.connect(server().socket())) {
      Tensor tensor =
          Values.putTensor(javaClient, Tensor.of(new double[] {0, 0.5, 1, 1.5, 2, 2.5}, 2, 3));
      name(javaClient, tensor.id(), "java/tensor");
      name(
          javaClient,
          Values.putTensor(javaClient, Tensor.of(new int[] {-1, 0, 7})).id(),
          "java/tensor-int32");
      Map<String, Tensor> columns = new LinkedHashMap<>();
      columns.put("a", Tensor.of(new long[] {1, 2, 3}));
      columns.put("b", Tensor.of(new double[] {1.5, 2.5, 3.5}));
      Map<String, io.cellar.client.data.Column> all = new LinkedHashMap<>(columns);
      all.put("s", io.cellar.client.data.StringArray.of(java.util.Arrays.asList("x", null, "zzz")));
      DataFrame frame =
          Values.putDataFrame(
              javaClient, new DataFrame(all, Tensor.of(new long[] {10, 20, 30}), null, null));
      name(javaClient, frame.id(), "java/frame");
      run("java_cross.py", socket(), "read", "java/tensor", "java/frame");
    }
  }

  @Test
  void javaReadsWhatPythonPut() throws Exception {
    run("java_cross.py", socket(), "write", "py/tensor", "py/frame");
    try (IpcClient javaClient = IpcClient.connect(server().socket())) {
      Tensor tensor = (Tensor) Values.get(javaClient, javaClient.getName("py/tensor", false));
      assertEquals(TensorType.FLOAT64, tensor.type());
      assertArrayEquals(new long[] {2, 3}, tensor.shape());
      assertArrayEquals(new double[] {0, 0.5, 1, 1.5, 2, 2.5}, tensor.toDoubleArray());
      assertTrue(javaClient.isInsideMapping(tensor.segment()), "zero-copy view of Python's blob");
      Tensor ints = Values.getTensor(javaClient, javaClient.getName("py/tensor-int32", false));
      assertEquals(TensorType.INT32, ints.type());
      assertArrayEquals(new long[] {-1, 0, 7}, ints.toLongArray());
      DataFrame frame = Values.getDataFrame(javaClient, javaClient.getName("py/frame", false));
      assertEquals(java.util.List.of("a", "b", "s"), frame.columnNames());
      assertEquals(java.util.Arrays.asList("x", null, "zzz"), frame.strings("s").toList());
      assertArrayEquals(new long[] {1, 2, 3}, frame.column("a").toLongArray());
      assertArrayEquals(new double[] {1.5, 2.5, 3.5}, frame.column("b").toDoubleArray());
      assertArrayEquals(new long[] {10, 20, 30}, frame.index().toLongArray());
    }
  }

  private static void name(IpcClient client, long id, String name) throws Exception {
    client.persist(id);
    client.putName(id, name);
  }
}
