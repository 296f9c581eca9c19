package io.cellar.csi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.csi.proto.GetPluginInfoRequest;
import io.cellar.csi.proto.IdentityGrpc;
import io.cellar.csi.proto.NodeGetInfoRequest;
import io.cellar.csi.proto.NodeGrpc;
import io.cellar.csi.registration.KubeletRegistration;
import io.cellar.csi.registration.proto.InfoRequest;
import io.cellar.csi.registration.proto.PluginInfo;
import io.cellar.csi.registration.proto.RegistrationGrpc;
import io.cellar.csi.registration.proto.RegistrationStatus;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in kubelet registration over its real UNIX socket, with this test playing the kubelet's
 * plugin watcher: GetInfo on {@code <kubelet root>/plugins_registry/<driver>-reg.sock}, a dial of
 * the endpoint it names (Identity and NodeGetInfo, as the kubelet's CSI plugin does), then
 * NotifyRegistrationStatus.
 */
class KubeletRegistrationTest {

  @TempDir Path tmp;
  private DriverFixture driver;
  private Path kubeletRoot;
  private EventLoopGroup clientLoop;
  private final CompletableFuture<String> failure = new CompletableFuture<>();

  @BeforeEach
  void setUp() throws Exception {
    driver = new DriverFixture(tmp.resolve("driver"), id -> {});
    kubeletRoot = tmp.resolve("kubelet");
    clientLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  }

  @AfterEach
  void tearDown() throws Exception {
    clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    driver.close();
  }

  private KubeletRegistration register() throws Exception {
    return KubeletRegistration.start(
        new KubeletRegistration.Config(kubeletRoot, IdentityService.DRIVER_NAME, driver.endpoint),
        failure::complete);
  }

  private <T> T call(Path socket, Function<ManagedChannel, T> body) throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(clientLoop)
            .usePlaintext()
            .build();
    try {
      return body.apply(channel);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void theKubeletFindsTheDriverThroughTheRegistrationSocket() throws Exception {
    Path socket = kubeletRoot.resolve("plugins_registry").resolve("csi.vineyard.v6d.io-reg.sock");
    try (KubeletRegistration registration = register()) {
      assertEquals(socket, registration.config().socket());
      assertTrue(Files.exists(socket), "the registration socket is where the kubelet watches");
      assertEquals(KubeletRegistration.State.WAITING, registration.state());

      PluginInfo info =
          call(
              socket,
              ch -> RegistrationGrpc.newBlockingStub(ch).getInfo(InfoRequest.getDefaultInstance()));
      assertEquals("CSIPlugin", info.getType());
      assertEquals("csi.vineyard.v6d.io", info.getName());
      assertEquals(driver.endpoint.toString(), info.getEndpoint());
      assertEquals(List.of("1.0.0"), info.getSupportedVersionsList());

      // the kubelet's CSI plugin dials the endpoint it was given and asks who is there
      Path endpoint = Path.of(info.getEndpoint());
      String name =
          call(
              endpoint,
              ch ->
                  IdentityGrpc.newBlockingStub(ch)
                      .getPluginInfo(GetPluginInfoRequest.getDefaultInstance())
                      .getName());
      assertEquals(info.getName(), name);
      String nodeId =
          call(
              endpoint,
              ch ->
                  NodeGrpc.newBlockingStub(ch)
                      .nodeGetInfo(NodeGetInfoRequest.getDefaultInstance())
                      .getNodeId());
      assertEquals(DriverFixture.NODE, nodeId);

      call(
          socket,
          ch ->
              RegistrationGrpc.newBlockingStub(ch)
                  .notifyRegistrationStatus(
                      RegistrationStatus.newBuilder().setPluginRegistered(true).build()));
      assertEquals(KubeletRegistration.State.REGISTERED, registration.state());
      assertFalse(failure.isDone(), "a successful registration is no failure");
    }
    assertFalse(Files.exists(socket), "closing removes the socket: the kubelet deregisters");
  }

  @Test
  void aRefusalReachesTheFailureHandlerWithTheKubeletsError() throws Exception {
    try (KubeletRegistration registration = register()) {
      call(
          registration.config().socket(),
          ch ->
              RegistrationGrpc.newBlockingStub(ch)
                  .notifyRegistrationStatus(
                      RegistrationStatus.newBuilder()
                          .setPluginRegistered(false)
                          .setError("driver name csi.vineyard.v6d.io already registered")
                          .build()));
      assertEquals(
          "driver name csi.vineyard.v6d.io already registered", failure.get(10, TimeUnit.SECONDS));
      assertEquals(KubeletRegistration.State.FAILED, registration.state());
    }
  }

  @Test
  void aStaleSocketFileIsReplaced() throws Exception {
    Path socket =
        Files.createDirectories(kubeletRoot.resolve("plugins_registry"))
            .resolve("csi.vineyard.v6d.io-reg.sock");
    try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      stale.bind(UnixDomainSocketAddress.of(socket));
    }
    assertTrue(Files.exists(socket));
    try (KubeletRegistration registration = register()) {
      PluginInfo info =
          call(
              registration.config().socket(),
              ch -> RegistrationGrpc.newBlockingStub(ch).getInfo(InfoRequest.getDefaultInstance()));
      assertEquals("csi.vineyard.v6d.io", info.getName());
    }
  }

  @Test
  void badConfigurationIsRefusedWithAMessage() {
    IllegalArgumentException relative =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new KubeletRegistration.Config(
                    Path.of("var/lib/kubelet"), "csi.vineyard.v6d.io", Path.of("/csi/csi.sock")));
    assertTrue(relative.getMessage().contains("absolute"), relative.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new KubeletRegistration.Config(
                Path.of("/var/lib/kubelet"), "a/b", Path.of("/csi/csi.sock")));
  }
}
