package io.cellar.client.transport;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A blocking TCP connection to a vineyardd's RPC port, over the JDK's {@link SocketChannel} ({@code
 * TCP_NODELAY} on). No fds ever travel here: blob bytes are sent inline (reference §5).
 *
 * <p>Not thread-safe: one thread at a time. Owns its channel until {@link #close()}.
 */
public final class TcpStream implements ByteStream {
  private static final int CHUNK = 1 << 30;

  private final SocketChannel channel;
  private final String endpoint;

  private TcpStream(SocketChannel channel, String endpoint) {
    this.channel = channel;
    this.endpoint = endpoint;
  }

  /**
   * Connects to {@code host:port}.
   *
   * @param host the server's host name or address
   * @param port the RPC port (vineyardd's default is 9600)
   * @return the connected stream, owned by the caller
   * @throws IOException when the connection cannot be made
   */
  public static TcpStream connect(String host, int port) throws IOException {
    return connect(host, port, Duration.ZERO);
  }

  /**
   * Connects to {@code host:port}, giving up after {@code timeout}.
   *
   * @param host the server's host name or address
   * @param port the RPC port
   * @param timeout how long the connect may take; zero waits as long as the system does
   * @return the connected stream, owned by the caller
   * @throws IOException when the connection cannot be made in time
   */
  public static TcpStream connect(String host, int port, Duration timeout) throws IOException {
    SocketChannel channel = SocketChannel.open();
    try {
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      // a blocking channel's socket adaptor connects with a timeout; the channel stays blocking
      channel.socket().connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
    } catch (IOException e) {
      channel.close();
      throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
    }
    return new TcpStream(channel, host + ":" + port);
  }

  @Override
  public void writeFully(MemorySegment source) throws IOException {
    long size = source.byteSize();
    for (long done = 0; done < size; ) {
      long chunk = Math.min(CHUNK, size - done);
      ByteBuffer buffer = source.asSlice(done, chunk).asByteBuffer();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      done += chunk;
    }
  }

  @Override
  public void readFully(MemorySegment target) throws IOException {
    long size = target.byteSize();
    for (long done = 0; done < size; ) {
      long chunk = Math.min(CHUNK, size - done);
      ByteBuffer buffer = target.asSlice(done, chunk).asByteBuffer();
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          throw new EOFException("vineyardd closed the connection " + endpoint);
        }
      }
      done += chunk;
    }
  }

  @Override
  public void shutdown() {
    try {
      channel.shutdownInput();
      channel.shutdownOutput();
    } catch (IOException e) {
      // already shut down or closed
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing is best effort
    }
  }
}
