package io.cellar.server.ipc;

import io.cellar.server.transport.RequestLoop;
import io.cellar.server.transport.ServerResources;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IPC listener: Netty's epoll UNIX-domain server socket, one {@link RequestLoop} per accepted
 * connection. Owns the socket file from bind to {@link #close()}.
 *
 * <p>Thread-safe: start and close may be called from any thread, once each.
 */
public final class IpcServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IpcServer.class);

  private final Path path;
  private final Channel channel;

  private IpcServer(Path path, Channel channel) {
    this.path = path;
    this.channel = channel;
  }

  /**
   * Binds the socket (already prepared by {@link SocketFile}) and sets its mode.
   *
   * @param path the socket path
   * @param mode the socket file's permission bits
   * @param group the event loops (epoll)
   * @param resources the shared server resources
   * @return the listening server
   * @throws IOException when binding fails
   */
  public static IpcServer bind(Path path, int mode, EventLoopGroup group, ServerResources resources)
      throws IOException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerDomainSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<DomainSocketChannel>() {
                  @Override
                  protected void initChannel(DomainSocketChannel ch) {
                    ch.pipeline().addLast(RequestLoop.ipc(resources));
                  }
                });
    Channel ch;
    try {
      ch = b.bind(new DomainSocketAddress(path.toString())).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding " + path, e);
    } catch (Exception e) {
      throw new IOException("cannot listen on " + path + ": " + e, e);
    }
    SocketFile.chmod(path, mode);
    LOG.debug("IPC listening on {}", path);
    return new IpcServer(path, ch);
  }

  /**
   * The socket path.
   *
   * @return the path
   */
  public Path path() {
    return path;
  }

  /** Stops accepting and removes the socket file. Open connections are closed by their group. */
  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
    SocketFile.remove(path);
  }
}
