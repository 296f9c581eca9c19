package io.cellar.csi;

import io.cellar.csi.proto.ControllerGetCapabilitiesRequest;
import io.cellar.csi.proto.ControllerGetCapabilitiesResponse;
import io.cellar.csi.proto.ControllerGrpc;
import io.cellar.csi.proto.ControllerPublishVolumeRequest;
import io.cellar.csi.proto.ControllerPublishVolumeResponse;
import io.cellar.csi.proto.ControllerServiceCapability;
import io.cellar.csi.proto.ControllerUnpublishVolumeRequest;
import io.cellar.csi.proto.ControllerUnpublishVolumeResponse;
import io.cellar.csi.proto.CreateVolumeRequest;
import io.cellar.csi.proto.CreateVolumeResponse;
import io.cellar.csi.proto.DeleteVolumeRequest;
import io.cellar.csi.proto.DeleteVolumeResponse;
import io.cellar.csi.proto.Topology;
import io.cellar.csi.proto.TopologyRequirement;
import io.cellar.csi.proto.ValidateVolumeCapabilitiesRequest;
import io.cellar.csi.proto.ValidateVolumeCapabilitiesResponse;
import io.cellar.csi.proto.Volume;
import io.cellar.csi.proto.VolumeCapability;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The CSI Controller service, stateless: the volume id ({@link VolumeId}) carries the vineyard
 * cluster and, for a delete-objects volume, the object-name prefix whose objects DeleteVolume
 * deletes through the {@link ObjectReaper}, so any replica answers any call. A volume is a handle
 * to a vineyard cluster, not storage of its own: CreateVolume provisions nothing and reports
 * capacity 0 ("unknown"), and a well-formed id names an existing volume. Capabilities: {@code
 * CREATE_DELETE_VOLUME} and {@code PUBLISH_UNPUBLISH_VOLUME}. ListVolumes is not offered: a
 * stateless controller has no list to give. Thread-safe (no mutable state).
 */
public final class ControllerService extends ControllerGrpc.ControllerImplBase {

  /** The topology key of a node, as in NodeGetInfo. */
  public static final String TOPOLOGY_KEY = "kubernetes.io/hostname";

  private final Predicate<String> knownNode;
  private final ObjectReaper reaper;

  /**
   * Creates the service.
   *
   * @param knownNode which node ids ControllerPublishVolume accepts (others are NOT_FOUND)
   * @param reaper deletes a delete-objects volume's objects on DeleteVolume
   */
  public ControllerService(Predicate<String> knownNode, ObjectReaper reaper) {
    this.knownNode = knownNode;
    this.reaper = reaper;
  }

  @Override
  public void createVolume(
      CreateVolumeRequest request, StreamObserver<CreateVolumeResponse> observer) {
    UnaryCall.answer("CreateVolume", observer, () -> create(request));
  }

  private CreateVolumeResponse create(CreateVolumeRequest request) {
    if (request.getName().isEmpty()) {
      throw UnaryCall.invalid("CreateVolume needs a name");
    }
    if (request.getVolumeCapabilitiesCount() == 0) {
      throw UnaryCall.invalid("CreateVolume needs at least one volume capability");
    }
    for (VolumeCapability capability : request.getVolumeCapabilitiesList()) {
      unsupported(capability)
          .ifPresent(
              reason -> {
                throw UnaryCall.invalid(reason);
              });
    }
    if (request.hasVolumeContentSource()) {
      throw UnaryCall.invalid(
          "volume content sources (snapshots, clones) are not supported by this driver");
    }
    long required = request.getCapacityRange().getRequiredBytes();
    long limit = request.getCapacityRange().getLimitBytes();
    if (required < 0 || limit < 0) {
      throw UnaryCall.invalid("capacity_range bytes must not be negative");
    }
    if (limit > 0 && limit < required) {
      throw Status.OUT_OF_RANGE
          .withDescription("capacity_range limit_bytes is below required_bytes")
          .asRuntimeException();
    }
    VolumeId id;
    try {
      id = VolumeId.forRequest(request.getName(), request.getParametersMap());
    } catch (IllegalArgumentException e) {
      throw UnaryCall.invalid(e.getMessage());
    }
    Volume.Builder volume =
        Volume.newBuilder()
            .setVolumeId(id.encode())
            .setCapacityBytes(0) // a handle to a vineyard cluster has no size of its own
            .putAllVolumeContext(request.getParametersMap());
    selectedNode(request.getAccessibilityRequirements())
        .ifPresent(node -> volume.addAccessibleTopology(node));
    return CreateVolumeResponse.newBuilder().setVolume(volume).build();
  }

  /**
   * The node the CO chose (the first preferred topology, else the first requisite one), reduced to
   * the {@code kubernetes.io/hostname} segment: the volume is used through that node's socket.
   */
  private static Optional<Topology> selectedNode(TopologyRequirement requirement) {
    List<Topology> candidates =
        requirement.getPreferredCount() > 0
            ? requirement.getPreferredList()
            : requirement.getRequisiteList();
    for (Topology topology : candidates) {
      String host = topology.getSegmentsMap().get(TOPOLOGY_KEY);
      if (host != null) {
        return Optional.of(Topology.newBuilder().putSegments(TOPOLOGY_KEY, host).build());
      }
    }
    return Optional.empty();
  }

  @Override
  public void deleteVolume(
      DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> observer) {
    UnaryCall.answer(
        "DeleteVolume",
        observer,
        () -> {
          if (request.getVolumeId().isEmpty()) {
            throw UnaryCall.invalid("DeleteVolume needs a volume_id");
          }
          Optional<VolumeId> id = VolumeId.decode(request.getVolumeId());
          if (id.isPresent() && id.get().deleteObjects()) {
            reaper.deleteObjects(id.get());
          }
          return DeleteVolumeResponse.getDefaultInstance(); // unknown ids: already gone
        });
  }

  @Override
  public void controllerPublishVolume(
      ControllerPublishVolumeRequest request,
      StreamObserver<ControllerPublishVolumeResponse> observer) {
    UnaryCall.answer(
        "ControllerPublishVolume",
        observer,
        () -> {
          if (request.getVolumeId().isEmpty()) {
            throw UnaryCall.invalid("ControllerPublishVolume needs a volume_id");
          }
          if (request.getNodeId().isEmpty()) {
            throw UnaryCall.invalid("ControllerPublishVolume needs a node_id");
          }
          if (!request.hasVolumeCapability()) {
            throw UnaryCall.invalid("ControllerPublishVolume needs a volume_capability");
          }
          unsupported(request.getVolumeCapability())
              .ifPresent(
                  reason -> {
                    throw UnaryCall.invalid(reason);
                  });
          existing(request.getVolumeId());
          if (!knownNode.test(request.getNodeId())) {
            throw Status.NOT_FOUND
                .withDescription("node " + request.getNodeId() + " is not known to this driver")
                .asRuntimeException();
          }
          // Nothing to attach: the node plugin bind-mounts the cluster's socket directory.
          return ControllerPublishVolumeResponse.getDefaultInstance();
        });
  }

  @Override
  public void controllerUnpublishVolume(
      ControllerUnpublishVolumeRequest request,
      StreamObserver<ControllerUnpublishVolumeResponse> observer) {
    UnaryCall.answer(
        "ControllerUnpublishVolume",
        observer,
        () -> {
          if (request.getVolumeId().isEmpty()) {
            throw UnaryCall.invalid("ControllerUnpublishVolume needs a volume_id");
          }
          // Nothing was attached; unknown volumes and nodes count as unpublished (spec: 0 OK).
          return ControllerUnpublishVolumeResponse.getDefaultInstance();
        });
  }

  @Override
  public void validateVolumeCapabilities(
      ValidateVolumeCapabilitiesRequest request,
      StreamObserver<ValidateVolumeCapabilitiesResponse> observer) {
    UnaryCall.answer("ValidateVolumeCapabilities", observer, () -> validate(request));
  }

  private ValidateVolumeCapabilitiesResponse validate(ValidateVolumeCapabilitiesRequest request) {
    if (request.getVolumeId().isEmpty()) {
      throw UnaryCall.invalid("ValidateVolumeCapabilities needs a volume_id");
    }
    if (request.getVolumeCapabilitiesCount() == 0) {
      throw UnaryCall.invalid("ValidateVolumeCapabilities needs at least one volume capability");
    }
    VolumeId id = existing(request.getVolumeId());
    for (VolumeCapability capability : request.getVolumeCapabilitiesList()) {
      Optional<String> reason = unsupported(capability);
      if (reason.isPresent()) {
        return ValidateVolumeCapabilitiesResponse.newBuilder().setMessage(reason.get()).build();
      }
    }
    Optional<String> mismatch =
        mismatch(id, request.getVolumeContextMap(), "volume_context")
            .or(() -> mismatch(id, request.getParametersMap(), "parameters"));
    if (mismatch.isPresent()) {
      return ValidateVolumeCapabilitiesResponse.newBuilder().setMessage(mismatch.get()).build();
    }
    return ValidateVolumeCapabilitiesResponse.newBuilder()
        .setConfirmed(
            ValidateVolumeCapabilitiesResponse.Confirmed.newBuilder()
                .putAllVolumeContext(request.getVolumeContextMap())
                .addAllVolumeCapabilities(request.getVolumeCapabilitiesList())
                .putAllParameters(request.getParametersMap()))
        .build();
  }

  @Override
  public void controllerGetCapabilities(
      ControllerGetCapabilitiesRequest request,
      StreamObserver<ControllerGetCapabilitiesResponse> observer) {
    UnaryCall.answer(
        "ControllerGetCapabilities",
        observer,
        () ->
            ControllerGetCapabilitiesResponse.newBuilder()
                .addCapabilities(rpc(ControllerServiceCapability.RPC.Type.CREATE_DELETE_VOLUME))
                .addCapabilities(rpc(ControllerServiceCapability.RPC.Type.PUBLISH_UNPUBLISH_VOLUME))
                .build());
  }

  /**
   * Why a capability cannot be served, if it cannot: the driver bind-mounts a directory, so only
   * the mount access type works; every access mode does (the socket serves many clients).
   */
  static Optional<String> unsupported(VolumeCapability capability) {
    if (capability.hasBlock()) {
      return Optional.of("block access is not supported: the volume is a directory");
    }
    if (!capability.hasMount()) {
      return Optional.of("a volume capability needs the mount access type");
    }
    if (!capability.hasAccessMode()
        || capability.getAccessMode().getMode() == VolumeCapability.AccessMode.Mode.UNKNOWN) {
      return Optional.of("a volume capability needs an access mode");
    }
    return Optional.empty();
  }

  private static VolumeId existing(String volumeId) {
    return VolumeId.decode(volumeId)
        .orElseThrow(
            () ->
                Status.NOT_FOUND
                    .withDescription("volume " + volumeId + " does not exist")
                    .asRuntimeException());
  }

  private static Optional<String> mismatch(VolumeId id, Map<String, String> given, String field) {
    String namespace = given.get(VolumeId.NAMESPACE_KEY);
    String name = given.get(VolumeId.NAME_KEY);
    if ((namespace != null && !namespace.equals(id.namespace()))
        || (name != null && !name.equals(id.name()))) {
      return Optional.of(field + " names another vineyard cluster than volume " + id);
    }
    return Optional.empty();
  }

  private static ControllerServiceCapability rpc(ControllerServiceCapability.RPC.Type type) {
    return ControllerServiceCapability.newBuilder()
        .setRpc(ControllerServiceCapability.RPC.newBuilder().setType(type))
        .build();
  }
}
