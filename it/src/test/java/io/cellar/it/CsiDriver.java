package io.cellar.it;

import io.cellar.csi.CsiServer;
import io.cellar.csi.IpcObjectReaper;
import io.cellar.csi.proto.ControllerGrpc;
import io.cellar.csi.proto.NodeGrpc;
import io.cellar.csi.proto.VolumeCapability;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The CSI driver as {@code bin/vineyardctl csi} runs it (a {@link CsiServer} with the {@link
 * IpcObjectReaper}), started in the test JVM on a UNIX socket, with blocking Controller and Node
 * stubs over a real epoll UNIX-socket channel. Closing stops both ends. Not thread-safe to start or
 * close; the stubs may be used from any thread.
 */
final class CsiDriver implements AutoCloseable {

  /** The node id the driver runs as. */
  static final String NODE = "node-1";

  /** A mounted volume, ReadWriteMany: what a PVC of the vineyard storage class asks for. */
  static final VolumeCapability MOUNT_RWX =
      VolumeCapability.newBuilder()
          .setMount(VolumeCapability.MountVolume.getDefaultInstance())
          .setAccessMode(
              VolumeCapability.AccessMode.newBuilder()
                  .setMode(VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER))
          .build();

  final ControllerGrpc.ControllerBlockingStub controller;
  final NodeGrpc.NodeBlockingStub node;
  private final CsiServer server;
  private final EventLoopGroup clientLoop;
  private final ManagedChannel channel;

  /**
   * Starts the driver.
   *
   * @param endpoint the driver's socket
   * @param socketRoot where the vineyard clusters' {@code <ns>/<name>/vineyard.sock} live
   */
  CsiDriver(Path endpoint, Path socketRoot) throws IOException {
    this(endpoint, socketRoot, NODE);
  }

  /**
   * Starts the driver as one node of several.
   *
   * @param endpoint the driver's socket
   * @param socketRoot where this node's vineyard clusters' {@code <ns>/<name>/vineyard.sock} live
   * @param nodeId the node id it runs as (NodeGetInfo, the topology it reports)
   */
  CsiDriver(Path endpoint, Path socketRoot, String nodeId) throws IOException {
    server =
        CsiServer.start(
            new CsiServer.Config(
                endpoint, nodeId, socketRoot, CsiServer.Config.DEFAULT_MAX_VOLUMES_PER_NODE, false),
            new IpcObjectReaper(socketRoot));
    clientLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(endpoint.toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(clientLoop)
            .usePlaintext()
            .build();
    controller = ControllerGrpc.newBlockingStub(channel);
    node = NodeGrpc.newBlockingStub(channel);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    server.close();
  }
}
