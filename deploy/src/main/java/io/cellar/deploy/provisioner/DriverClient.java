package io.cellar.deploy.provisioner;

import io.cellar.csi.proto.ControllerGrpc;
import io.cellar.csi.proto.CreateVolumeRequest;
import io.cellar.csi.proto.DeleteVolumeRequest;
import io.cellar.csi.proto.IdentityGrpc;
import io.cellar.csi.proto.ProbeRequest;
import io.cellar.csi.proto.ProbeResponse;
import io.cellar.csi.proto.Volume;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The driver's CSI services over its UNIX socket, as a sidecar reaches them: CreateVolume,
 * DeleteVolume and Probe with a deadline per call. Errors are the driver's gRPC statuses ({@code
 * io.grpc.StatusRuntimeException}). Thread-safe (gRPC stubs are).
 */
public final class DriverClient implements AutoCloseable {
  /** The deadline of one call: DeleteVolume may wait up to 30 s for a cluster's vineyardd. */
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private final EventLoopGroup loop;
  private final ManagedChannel channel;
  private final Duration timeout;

  /**
   * Connects (lazily, on the first call) to the driver's socket.
   *
   * @param endpoint the CSI socket
   * @param timeout the deadline of each call
   */
  public DriverClient(Path endpoint, Duration timeout) {
    this.timeout = timeout;
    this.loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    this.channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(endpoint.toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(loop)
            .usePlaintext()
            .build();
  }

  private ControllerGrpc.ControllerBlockingStub controller() {
    return ControllerGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Calls CreateVolume.
   *
   * @param request the request
   * @return the created volume
   */
  public Volume createVolume(CreateVolumeRequest request) {
    return controller().createVolume(request).getVolume();
  }

  /**
   * Calls DeleteVolume.
   *
   * @param volumeId the volume handle
   */
  public void deleteVolume(String volumeId) {
    controller().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volumeId).build());
  }

  /**
   * Calls Probe.
   *
   * @return whether the driver answered ready (an unset {@code ready} counts as ready, as the spec
   *     says)
   */
  public boolean probe() {
    ProbeResponse response =
        IdentityGrpc.newBlockingStub(channel)
            .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .probe(ProbeRequest.getDefaultInstance());
    return !response.hasReady() || response.getReady().getValue();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
