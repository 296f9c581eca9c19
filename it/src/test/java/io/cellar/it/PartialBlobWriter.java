package io.cellar.it;

import io.cellar.client.BlobWriter;
import io.cellar.client.IpcClient;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A separate writer process for {@link KilledWriterIT}: creates a blob, writes part of it, reports
 * {@code WRITING <id>} on stdout and then waits forever (until killed), never sealing.
 *
 * <p>Usage: {@code PartialBlobWriter SOCKET SIZE}.
 */
public final class PartialBlobWriter {
  private PartialBlobWriter() {}

  /**
   * Entry point.
   *
   * @param args the socket path and the blob size
   */
  public static void main(String[] args) throws Exception {
    IpcClient client = IpcClient.connect(Path.of(args[0]));
    BlobWriter writer = client.createBlob(Long.parseLong(args[1]));
    writer.segment().asSlice(0, writer.size() / 2).fill((byte) 0x5a);
    writer.segment().set(ValueLayout.JAVA_BYTE, writer.size() - 1, (byte) 1);
    System.out.println("WRITING " + Long.toUnsignedString(writer.segment().byteSize()));
    System.out.flush();
    System.in.read(); // never returns: the test kills this process with SIGKILL
  }
}
