package io.cellar.server.rpc;

import io.cellar.server.transport.RequestLoop;
import io.cellar.server.transport.ServerResources;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * The RPC listener: an epoll TCP server socket bound with {@code SO_REUSEADDR} (a restart does not
 * wait out old connections in TIME_WAIT) but never {@code SO_REUSEPORT}: a second server on a port
 * in use must not share it (clients would land on either store at random), so the bind fails with a
 * message naming the port. One {@link RequestLoop} per connection.
 *
 * <p>Thread-safe: start and close may be called from any thread, once each.
 */
public final class RpcServer implements AutoCloseable {
  private final Channel channel;

  private RpcServer(Channel channel) {
    this.channel = channel;
  }

  /**
   * Binds the TCP port.
   *
   * @param host the address to bind, e.g. {@code 0.0.0.0}
   * @param port the port, 0 for any free one
   * @param group the event loops (epoll)
   * @param resources the shared server resources
   * @return the listening server
   * @throws IOException when binding fails
   */
  public static RpcServer bind(
      String host, int port, EventLoopGroup group, ServerResources resources) throws IOException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(RequestLoop.rpc(resources));
                  }
                });
    try {
      return new RpcServer(b.bind(new InetSocketAddress(host, port)).sync().channel());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding " + host + ":" + port, e);
    } catch (Exception e) {
      if (isAddressInUse(e)) {
        throw new IOException(
            "cannot listen on "
                + host
                + ":"
                + port
                + " for RPC: port "
                + port
                + " is already in use (another vineyardd?); choose another --rpc_socket_port, or"
                + " --norpc",
            e);
      }
      throw new IOException("cannot listen on " + host + ":" + port + " for RPC: " + e, e);
    }
  }

  private static boolean isAddressInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The bound port.
   *
   * @return the port
   */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Stops accepting. */
  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
  }
}
