package io.cellar.csi;

import io.cellar.csi.proto.ControllerGrpc;
import io.cellar.csi.proto.IdentityGrpc;
import io.cellar.csi.proto.NodeGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A driver started in this JVM on a UNIX socket under a temporary directory, a socket root next to
 * it, and blocking stubs over a real epoll UNIX-socket channel. Closing stops everything.
 */
final class DriverFixture implements AutoCloseable {

  static final String NODE = "node-1";

  final Path dir;
  final Path endpoint;
  final Path socketRoot;
  final CsiServer server;
  final IdentityGrpc.IdentityBlockingStub identity;
  final ControllerGrpc.ControllerBlockingStub controller;
  final NodeGrpc.NodeBlockingStub node;
  private final ManagedChannel channel;
  private final EventLoopGroup clientLoop;
  private final List<ServerSocketChannel> vineyardSockets = new ArrayList<>();

  DriverFixture(Path dir, ObjectReaper reaper) throws IOException {
    this.dir = dir;
    this.endpoint = dir.resolve("csi/csi.sock");
    this.socketRoot = dir.resolve("root");
    Files.createDirectories(socketRoot);
    this.server =
        CsiServer.start(new CsiServer.Config(endpoint, NODE, socketRoot, 1000, false), reaper);
    this.clientLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    this.channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(endpoint.toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(clientLoop)
            .usePlaintext()
            .build();
    this.identity = IdentityGrpc.newBlockingStub(channel);
    this.controller = ControllerGrpc.newBlockingStub(channel);
    this.node = NodeGrpc.newBlockingStub(channel);
  }

  /** Creates {@code <root>/<ns>/<name>/vineyard.sock} as a real listening UNIX socket. */
  Path vineyardCluster(String namespace, String name) throws IOException {
    Path clusterDir = Files.createDirectories(socketRoot.resolve(namespace).resolve(name));
    ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    socket.bind(UnixDomainSocketAddress.of(clusterDir.resolve(SocketRoot.SOCKET_NAME)));
    vineyardSockets.add(socket);
    return clusterDir;
  }

  @Override
  public void close() throws IOException {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    server.close();
    for (ServerSocketChannel socket : vineyardSockets) {
      socket.close();
    }
  }
}
