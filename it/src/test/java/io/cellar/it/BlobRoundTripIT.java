package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.client.Blob;
import io.cellar.client.BlobWriter;
import io.cellar.client.IpcClient;
import io.cellar.client.RpcClient;
import io.cellar.protocol.ObjectIds;
import io.cellar.testing.daemon.VineyarddExtension;
import java.io.IOException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Byte-exact put/get across processes: one client writes a blob into the server's shared memory,
 * another client (its own connection, its own mapping) reads it back, and the read is a view inside
 * the reader's mapping of the arena, so nothing was copied.
 */
class BlobRoundTripIT {
  @RegisterExtension static final VineyarddExtension SERVER = Servers.cellar("1G");

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(longs = {0, 1, 63, 64, 4096, 1 << 20, 256L << 20})
  void aBlobWrittenByOneClientReadsBackByteExactInAnother(long size) throws IOException {
    long seed = size * 7919 + 1;
    try (IpcClient writer = IpcClient.connect(SERVER.socket());
        IpcClient reader = IpcClient.connect(SERVER.socket())) {
      Blob written;
      try (BlobWriter blob = writer.createBlob(size)) {
        BytePattern.fill(blob.segment(), seed);
        written = blob.seal();
      }
      assertEquals(size, written.size());
      if (size == 0) {
        assertEquals(ObjectIds.EMPTY_BLOB, written.id());
      }
      Blob read = reader.getBlob(written.id());
      assertEquals(size, read.size());
      assertEquals(-1, BytePattern.firstMismatch(read.segment(), seed), "first differing byte");
      assertTrue(read.segment().isReadOnly(), "readers get read-only views");
      if (size > 0) {
        assertTrue(
            reader.isInsideMapping(read.segment()), "the read is a view of the reader's mapping");
        assertEquals(1, reader.arenas().size());
        written.segment(); // the writer's view stays valid while its client is open
        assertEquals(-1, BytePattern.firstMismatch(writer.getBlob(written.id()).segment(), seed));
        writer.dropBlob(written.id());
      }
    }
  }

  @org.junit.jupiter.api.Test
  void theEmptyBlobIsKnownEverywhereAsTheReferenceKnowsIt() throws IOException {
    try (IpcClient client = IpcClient.connect(SERVER.socket())) {
      assertEquals(0, client.getBlob(ObjectIds.EMPTY_BLOB).size());
      // the reference looks blob ids up in its bulk store, where the empty blob never is
      org.junit.jupiter.api.Assertions.assertFalse(client.exists(ObjectIds.EMPTY_BLOB));
      client.release(ObjectIds.EMPTY_BLOB);
      client.dropBlob(ObjectIds.EMPTY_BLOB); // the reference answers drop_buffer_reply
      assertEquals(0, client.getBlob(ObjectIds.EMPTY_BLOB).size());
    }
  }

  @ParameterizedTest(name = "{0} bytes over RPC")
  @ValueSource(longs = {0, 1, 4096, 1 << 20})
  void blobsTravelInlineOverRpc(long size) throws IOException {
    long seed = size + 99;
    try (RpcClient rpc = RpcClient.connect("127.0.0.1", SERVER.rpcPort());
        IpcClient ipc = IpcClient.connect(SERVER.socket())) {
      Blob written;
      try (BlobWriter blob = rpc.createBlob(size)) {
        BytePattern.fill(blob.segment(), seed);
        written = blob.seal();
      }
      assertEquals(-1, BytePattern.firstMismatch(ipc.getBlob(written.id()).segment(), seed));
      assertEquals(-1, BytePattern.firstMismatch(rpc.getBlob(written.id()).segment(), seed));
      Blob fromIpc = ipc.putBytes(new byte[] {1, 2, 3});
      assertEquals(3, rpc.getBlob(fromIpc.id()).size());
    }
  }
}
