package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.client.Blob;
import io.cellar.client.InstanceStatus;
import io.cellar.client.IpcClient;
import io.cellar.client.RpcClient;
import io.cellar.client.data.Tensor;
import io.cellar.client.data.Values;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.StatusCode;
import io.cellar.testing.daemon.VineyarddExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The metadata, name and status commands of the Java client against a server process. */
class MetadataCommandsIT {
  @RegisterExtension static final VineyarddExtension SERVER = Servers.cellar("256M");

  private static ObjectNode object(String typename) {
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    meta.put("typename", typename);
    meta.put("answer_", 42);
    return meta;
  }

  @Test
  void createGetListExistsAndDelete() throws Exception {
    try (IpcClient client = IpcClient.connect(SERVER.socket())) {
      Blob blob = client.putBytes(new byte[] {1, 2, 3, 4});
      ObjectNode meta = object("test::Thing");
      meta.set("member_", blob.metadata());
      ObjectCreated created = client.createData(meta);
      assertFalse(ObjectIds.isBlob(created.id()));
      assertEquals(ObjectIds.toText(created.id()), meta.path("id").asText(), "id written back");
      ObjectNode back = client.getData(created.id());
      assertEquals("test::Thing", back.path("typename").asText());
      assertEquals(42, back.path("answer_").asInt());
      assertEquals(ObjectIds.toText(blob.id()), back.path("member_").path("id").asText());
      assertTrue(client.exists(created.id()));
      assertTrue(client.exists(blob.id()));
      assertTrue(client.listData("test::*", false, 10).containsKey(created.id()));
      assertTrue(client.getData(List.of(created.id(), 12345L), false).containsKey(created.id()));
      assertFalse(client.getData(List.of(12345L), false).containsKey(12345L));
      ObjectNode blobMeta = client.getData(blob.id());
      assertEquals("vineyard::Blob", blobMeta.path("typename").asText());
      assertEquals(4, blobMeta.path("nbytes").asLong());
      client.delete(List.of(created.id()), false, true);
      assertFalse(client.exists(created.id()));
      CellarException gone =
          assertThrows(CellarException.class, () -> client.getData(created.id()));
      assertEquals(StatusCode.OBJECT_NOT_EXISTS, gone.status());
    }
  }

  @Test
  void persistLabelAndShallowCopy() throws Exception {
    try (IpcClient client = IpcClient.connect(SERVER.socket())) {
      Tensor t = Values.putTensor(client, Tensor.of(new int[] {1, 2}));
      assertFalse(client.isPersisted(t.id()));
      client.persist(t.id());
      assertTrue(client.isPersisted(t.id()));
      client.label(t.id(), Map.of("owner", "java"));
      assertTrue(client.getData(t.id()).path("__labels").asText().contains("java"));
      long copy = client.shallowCopy(t.id(), null);
      assertNotEquals(t.id(), copy);
      assertEquals("vineyard::Tensor<int>", client.getData(copy).path("typename").asText());
      long bufferId = io.cellar.protocol.UnsignedJson.field(t.metadata().get("buffer_"), "id");
      CellarException blobPersist =
          assertThrows(CellarException.class, () -> client.persist(bufferId));
      assertEquals(StatusCode.ASSERTION_FAILED, blobPersist.status());
    }
  }

  @Test
  void statusAndClusterMeta() throws Exception {
    try (IpcClient client = IpcClient.connect(SERVER.socket());
        RpcClient rpc = RpcClient.connect("127.0.0.1", SERVER.rpcPort())) {
      InstanceStatus status = client.instanceStatus();
      assertEquals(256L << 20, status.memoryLimit());
      assertTrue(status.ipcConnections() >= 1);
      assertTrue(status.rpcConnections() >= 1);
      assertEquals("local", status.deployment());
      assertTrue(client.clusterMeta().has("i" + Long.toUnsignedString(client.instanceId())));
      assertEquals(client.instanceId(), rpc.instanceId());
      Tensor viaRpc = Values.putTensor(rpc, Tensor.of(new double[] {2.5, 3.5}));
      assertEquals(
          List.of(2.5, 3.5),
          java.util.Arrays.stream(Values.getTensor(client, viaRpc.id()).toDoubleArray())
              .boxed()
              .toList());
    }
  }

  @Test
  void aTensorWrittenInPlaceReadsBackInAnotherClient() throws Exception {
    try (IpcClient writer = IpcClient.connect(SERVER.socket());
        IpcClient reader = IpcClient.connect(SERVER.socket())) {
      Tensor stored;
      try (io.cellar.client.data.TensorWriter tensor =
          Values.createTensor(writer, io.cellar.client.data.TensorType.FLOAT32, 'C', 2, 2)) {
        for (int i = 0; i < 4; i++) {
          tensor.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, i * 1.5f);
        }
        stored = tensor.seal();
      }
      assertTrue(writer.isInsideMapping(stored.segment()), "the tensor was written in place");
      Tensor read = Values.getTensor(reader, stored.id());
      assertEquals("vineyard::Tensor<float>", read.metadata().path("typename").asText());
      assertEquals(
          List.of(0.0, 1.5, 3.0, 4.5),
          java.util.Arrays.stream(read.toDoubleArray()).boxed().toList());
    }
  }

  @Test
  void clearRemovesEverything() throws Exception {
    try (IpcClient client = IpcClient.connect(SERVER.socket())) {
      Tensor t = Values.putTensor(client, Tensor.of(new long[] {9}));
      client.clear();
      assertFalse(client.exists(t.id()));
    }
  }
}
