package io.cellar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.csi.VolumeId;
import io.cellar.csi.proto.ControllerGrpc;
import io.cellar.csi.proto.CreateVolumeRequest;
import io.cellar.csi.proto.DeleteVolumeRequest;
import io.cellar.csi.proto.GetPluginInfoRequest;
import io.cellar.csi.proto.GetPluginInfoResponse;
import io.cellar.csi.proto.IdentityGrpc;
import io.cellar.csi.proto.NodeGetInfoRequest;
import io.cellar.csi.proto.NodeGrpc;
import io.cellar.csi.proto.VolumeCapability;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the packaged driver through {@code bin/vineyardctl} and talks CSI to it, including a
 * delete-objects DeleteVolume that reaches for the cluster's vineyardd.
 */
class VineyardctlLauncherIT {

  @TempDir Path tmp;

  @Test
  void launcherServesCsiAndCleansUpOnSigterm() throws Exception {
    Path repo = Path.of(System.getProperty("cellar.repo.root", "..")).toAbsolutePath().normalize();
    Path socket = tmp.resolve("csi.sock");
    Process driver =
        new ProcessBuilder(
                repo.resolve("bin/vineyardctl").toString(),
                "csi",
                "--endpoint",
                "unix://" + socket,
                "--nodeid",
                "node-7",
                "--socket-root",
                tmp.resolve("root").toString())
            .redirectErrorStream(true)
            .start();
    List<String> output = new ArrayList<>();
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = lines.readLine()) != null) { // the driver logs one line when it serves
        output.add(line);
        if (line.contains("serving on")) {
          break;
        }
      }
      assertTrue(driver.isAlive(), "driver exited: " + output);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
              .channelType(EpollDomainSocketChannel.class)
              .eventLoopGroup(loop)
              .usePlaintext()
              .build();
      try {
        GetPluginInfoResponse info =
            IdentityGrpc.newBlockingStub(channel)
                .getPluginInfo(GetPluginInfoRequest.getDefaultInstance());
        assertEquals("csi.vineyard.v6d.io", info.getName());
        assertEquals(
            "node-7",
            NodeGrpc.newBlockingStub(channel)
                .nodeGetInfo(NodeGetInfoRequest.getDefaultInstance())
                .getNodeId());
        // the launcher wires the IpcObjectReaper: a delete-objects volume whose vineyardd does
        // not answer (a socket file nobody listens on) is UNAVAILABLE, not deleted
        Path cluster = Files.createDirectories(tmp.resolve("root/ns/vd"));
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
          dead.bind(UnixDomainSocketAddress.of(cluster.resolve("vineyard.sock")));
        }
        ControllerGrpc.ControllerBlockingStub controller = ControllerGrpc.newBlockingStub(channel);
        String volumeId =
            controller
                .createVolume(
                    CreateVolumeRequest.newBuilder()
                        .setName("pvc-1")
                        .addVolumeCapabilities(
                            VolumeCapability.newBuilder()
                                .setMount(VolumeCapability.MountVolume.getDefaultInstance())
                                .setAccessMode(
                                    VolumeCapability.AccessMode.newBuilder()
                                        .setMode(
                                            VolumeCapability.AccessMode.Mode
                                                .MULTI_NODE_MULTI_WRITER)))
                        .putParameters(VolumeId.NAMESPACE_KEY, "ns")
                        .putParameters(VolumeId.NAME_KEY, "vd")
                        .putParameters(VolumeId.DELETE_OBJECTS_KEY, "true")
                        .putParameters(VolumeId.OBJECT_PREFIX_KEY, "/vineyard/data/")
                        .build())
                .getVolume()
                .getVolumeId();
        StatusRuntimeException unavailable =
            assertThrows(
                StatusRuntimeException.class,
                () ->
                    controller.deleteVolume(
                        DeleteVolumeRequest.newBuilder().setVolumeId(volumeId).build()));
        assertEquals(Status.Code.UNAVAILABLE, unavailable.getStatus().getCode(), output.toString());
        assertTrue(
            unavailable.getStatus().getDescription().contains("cannot reach vineyardd"),
            unavailable.getStatus().toString());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      driver.destroy(); // SIGTERM: the shutdown hook closes the server
      assertTrue(driver.waitFor(30, TimeUnit.SECONDS), "driver did not stop on SIGTERM");
      assertFalse(Files.exists(socket), "socket file left behind");
    } finally {
      driver.destroyForcibly();
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void registerWithKubeletServesTheRegistrationSocketAndARefusalEndsTheProcess() throws Exception {
    Path repo = Path.of(System.getProperty("cellar.repo.root", "..")).toAbsolutePath().normalize();
    Path socket = tmp.resolve("plugins/csi.vineyard.v6d.io/csi.sock");
    Path kubeletRoot = tmp.resolve("kubelet");
    Path registrationSocket = kubeletRoot.resolve("plugins_registry/csi.vineyard.v6d.io-reg.sock");
    Process driver =
        new ProcessBuilder(
                repo.resolve("bin/vineyardctl").toString(),
                "csi",
                "--endpoint",
                "unix://" + socket,
                "--nodeid",
                "node-7",
                "--socket-root",
                tmp.resolve("root").toString(),
                "--register-with-kubelet",
                kubeletRoot.toString(),
                "--kubelet-registration-path",
                "/var/lib/kubelet/plugins/csi.vineyard.v6d.io/csi.sock")
            .redirectErrorStream(true)
            .start();
    List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = lines.readLine()) != null) {
        output.add(line);
        if (line.contains("kubelet registration of")) {
          break;
        }
      }
      assertTrue(driver.isAlive(), "driver exited: " + output);
      Thread drain =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      String rest;
                      while ((rest = lines.readLine()) != null) {
                        output.add(rest);
                      }
                    } catch (java.io.IOException e) {
                      output.add(e.toString());
                    }
                  });
      assertTrue(Files.exists(registrationSocket), output.toString());
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(new DomainSocketAddress(registrationSocket.toString()))
              .channelType(EpollDomainSocketChannel.class)
              .eventLoopGroup(loop)
              .usePlaintext()
              .build();
      try {
        io.cellar.csi.registration.proto.PluginInfo info =
            io.cellar.csi.registration.proto.RegistrationGrpc.newBlockingStub(channel)
                .getInfo(io.cellar.csi.registration.proto.InfoRequest.getDefaultInstance());
        assertEquals("CSIPlugin", info.getType());
        assertEquals("csi.vineyard.v6d.io", info.getName());
        assertEquals("/var/lib/kubelet/plugins/csi.vineyard.v6d.io/csi.sock", info.getEndpoint());
        assertEquals(List.of("1.0.0"), info.getSupportedVersionsList());
        io.cellar.csi.registration.proto.RegistrationGrpc.newBlockingStub(channel)
            .notifyRegistrationStatus(
                io.cellar.csi.registration.proto.RegistrationStatus.newBuilder()
                    .setPluginRegistered(false)
                    .setError("no such endpoint")
                    .build());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      assertTrue(driver.waitFor(30, TimeUnit.SECONDS), "a refused driver must exit: " + output);
      drain.join(5000);
      assertEquals(1, driver.exitValue(), output.toString());
      assertTrue(
          output.stream()
              .anyMatch(l -> l.contains("refused to register the driver: no such endpoint")),
          output.toString());
      assertFalse(Files.exists(registrationSocket), "registration socket left behind");
      assertFalse(Files.exists(socket), "CSI socket left behind");
    } finally {
      driver.destroyForcibly();
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
