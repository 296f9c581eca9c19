package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.client.Blob;
import io.cellar.client.BlobWriter;
import io.cellar.client.IpcClient;
import io.cellar.testing.daemon.VineyarddExtension;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One blob past 2 GiB: every byte is written through a {@code MemorySegment} (no 2 GiB limit), and
 * another client checks spots across the whole range plus a checksum of strided samples.
 */
class LargeBlobIT {
  private static final long SIZE = (2L << 30) + 4096 + 3;
  private static final long SEED = 0x5eed;

  @RegisterExtension static final VineyarddExtension SERVER = Servers.cellar("3G");

  @Test
  void aBlobOverTwoGibibytesRoundTrips() throws IOException {
    try (IpcClient writer = IpcClient.connect(SERVER.socket());
        IpcClient reader = IpcClient.connect(SERVER.socket())) {
      Blob written;
      try (BlobWriter blob = writer.createBlob(SIZE)) {
        BytePattern.fill(blob.segment(), SEED);
        written = blob.seal();
      }
      Blob read = reader.getBlob(written.id());
      assertEquals(SIZE, read.size());
      assertTrue(reader.isInsideMapping(read.segment()));
      for (long at :
          new long[] {0, 1, 4095, 1L << 31, (1L << 31) - 1, (1L << 31) + 1, SIZE - 1, SIZE / 3}) {
        assertEquals(
            BytePattern.at(SEED, at), read.segment().get(ValueLayout.JAVA_BYTE, at), "byte " + at);
      }
      assertEquals(
          BytePattern.expectedStridedChecksum(SEED, SIZE, 4099),
          BytePattern.stridedChecksum(read.segment(), 4099));
      writer.dropBlob(written.id());
    }
  }
}
