package io.cellar.csi;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC server on a UNIX socket, as every socket a CSI driver serves is (the CSI endpoint, the
 * kubelet's plugin registration): one epoll event loop, the calls on a small executor of its own, a
 * stale socket file of a previous run replaced at start, the socket file removed at {@link #close}.
 * It owns its loop, its executor and the socket file.
 *
 * <p>Thread-safe: {@link #close} may be called from any thread, once.
 */
public final class UnixSocketGrpcServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UnixSocketGrpcServer.class);

  private final Path socket;
  private final Server server;
  private final EventLoopGroup loop;
  private final ExecutorService executor;

  private UnixSocketGrpcServer(
      Path socket, Server server, EventLoopGroup loop, ExecutorService executor) {
    this.socket = socket;
    this.server = server;
    this.loop = loop;
    this.executor = executor;
  }

  /**
   * Starts serving, creating the socket's directory and replacing a stale socket file.
   *
   * @param socket the socket path (absolute)
   * @param threadName the name (prefix) of the call threads
   * @param threads how many call threads
   * @param services the services to serve
   * @return the running server
   * @throws IOException when the socket cannot be bound, or its path is a directory
   * @throws IllegalStateException when the epoll transport is unavailable
   */
  public static UnixSocketGrpcServer start(
      Path socket, String threadName, int threads, List<BindableService> services)
      throws IOException {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("epoll transport unavailable", Epoll.unavailabilityCause());
    }
    Files.createDirectories(socket.getParent());
    if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("socket path is a directory: " + socket);
      }
      Files.delete(socket); // a socket left by a previous run
    }
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    ExecutorService executor =
        Executors.newFixedThreadPool(
            threads, Thread.ofPlatform().name(threadName + "-", 0).daemon(true).factory());
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(loop)
            .workerEventLoopGroup(loop)
            .executor(executor);
    services.forEach(builder::addService);
    Server server = builder.build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      executor.shutdownNow();
      throw e;
    }
    return new UnixSocketGrpcServer(socket, server, loop, executor);
  }

  /**
   * The socket served.
   *
   * @return its path
   */
  public Path socket() {
    return socket;
  }

  /**
   * Blocks until the server has stopped.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops accepting calls, waits briefly for calls in flight, and removes the socket file. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      LOG.warn("cannot remove {}: {}", socket, e.toString());
    }
  }
}
