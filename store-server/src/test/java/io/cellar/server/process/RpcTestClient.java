package io.cellar.server.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.server.testing.RawWireClient;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A blocking TCP client for the RPC port: framed JSON plus raw bytes. Not thread-safe. */
final class RpcTestClient implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  RpcTestClient(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(20_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  JsonNode call(ObjectNode request) throws IOException {
    byte[] body = RawWireClient.JSON.writeValueAsBytes(request);
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(body.length).array());
    out.write(body);
    out.flush();
    return readReply();
  }

  JsonNode readReply() throws IOException {
    long len = ByteBuffer.wrap(readExactly(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return RawWireClient.JSON.readTree(readExactly((int) len));
  }

  byte[] readExactly(int n) throws IOException {
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
