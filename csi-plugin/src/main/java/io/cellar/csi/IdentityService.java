package io.cellar.csi;

import com.google.protobuf.BoolValue;
import io.cellar.csi.proto.GetPluginCapabilitiesRequest;
import io.cellar.csi.proto.GetPluginCapabilitiesResponse;
import io.cellar.csi.proto.GetPluginInfoRequest;
import io.cellar.csi.proto.GetPluginInfoResponse;
import io.cellar.csi.proto.IdentityGrpc;
import io.cellar.csi.proto.PluginCapability;
import io.cellar.csi.proto.ProbeRequest;
import io.cellar.csi.proto.ProbeResponse;
import io.grpc.stub.StreamObserver;

/**
 * The CSI Identity service: the driver's name and version, its plugin capabilities ({@code
 * CONTROLLER_SERVICE}, {@code VOLUME_ACCESSIBILITY_CONSTRAINTS}) and a Probe that reports ready
 * only when the node's socket root exists. Thread-safe (no mutable state).
 */
public final class IdentityService extends IdentityGrpc.IdentityImplBase {

  /** The driver name registered with Kubernetes. */
  public static final String DRIVER_NAME = "csi.vineyard.v6d.io";

  private final String version;
  private final SocketRoot socketRoot;

  /**
   * Creates the service.
   *
   * @param version the vendor version reported (the project version)
   * @param socketRoot the node's socket root, checked by Probe
   */
  public IdentityService(String version, SocketRoot socketRoot) {
    this.version = version;
    this.socketRoot = socketRoot;
  }

  @Override
  public void getPluginInfo(
      GetPluginInfoRequest request, StreamObserver<GetPluginInfoResponse> observer) {
    UnaryCall.answer(
        "GetPluginInfo",
        observer,
        () ->
            GetPluginInfoResponse.newBuilder()
                .setName(DRIVER_NAME)
                .setVendorVersion(version)
                .build());
  }

  @Override
  public void getPluginCapabilities(
      GetPluginCapabilitiesRequest request,
      StreamObserver<GetPluginCapabilitiesResponse> observer) {
    UnaryCall.answer(
        "GetPluginCapabilities",
        observer,
        () ->
            GetPluginCapabilitiesResponse.newBuilder()
                .addCapabilities(service(PluginCapability.Service.Type.CONTROLLER_SERVICE))
                .addCapabilities(
                    service(PluginCapability.Service.Type.VOLUME_ACCESSIBILITY_CONSTRAINTS))
                .build());
  }

  /**
   * Ready when the socket root is a directory: until the node's vineyard deployment has created it,
   * no volume can be published here, which is what "still initialising" means for this driver.
   */
  @Override
  public void probe(ProbeRequest request, StreamObserver<ProbeResponse> observer) {
    UnaryCall.answer(
        "Probe",
        observer,
        () -> ProbeResponse.newBuilder().setReady(BoolValue.of(socketRoot.isReady())).build());
  }

  private static PluginCapability service(PluginCapability.Service.Type type) {
    return PluginCapability.newBuilder()
        .setService(PluginCapability.Service.newBuilder().setType(type))
        .build();
  }
}
