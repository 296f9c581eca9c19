package io.cellar.csi;

import io.cellar.csi.proto.NodeGetCapabilitiesRequest;
import io.cellar.csi.proto.NodeGetCapabilitiesResponse;
import io.cellar.csi.proto.NodeGetInfoRequest;
import io.cellar.csi.proto.NodeGetInfoResponse;
import io.cellar.csi.proto.NodeGrpc;
import io.cellar.csi.proto.NodePublishVolumeRequest;
import io.cellar.csi.proto.NodePublishVolumeResponse;
import io.cellar.csi.proto.NodeUnpublishVolumeRequest;
import io.cellar.csi.proto.NodeUnpublishVolumeResponse;
import io.cellar.csi.proto.Topology;
import io.cellar.csi.proto.VolumeCapability;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The CSI Node service: NodePublishVolume bind-mounts the volume's vineyard cluster directory
 * {@code <socket-root>/<namespace>/<name>} (the one holding {@code vineyard.sock}) onto the target
 * path, read-only when asked; NodeUnpublishVolume unmounts and removes the target. No staging. Both
 * are idempotent. Calls for the same target are serialised (one lock for the service: mounts are
 * rare and quick); calls block in the kernel and run on gRPC's executor, never on an event loop.
 */
public final class NodeService extends NodeGrpc.NodeImplBase {

  private static final int MAX_MOUNT_LAYERS = 16;

  private final String nodeId;
  private final long maxVolumesPerNode;
  private final SocketRoot socketRoot;
  private final BindMounter mounter;
  private final Object mountLock = new Object();

  /**
   * Creates the service.
   *
   * @param nodeId this node's id (the Kubernetes node name)
   * @param maxVolumesPerNode reported by NodeGetInfo (0: no limit)
   * @param socketRoot where vineyard clusters' socket directories live
   * @param mounter performs the bind mounts
   */
  public NodeService(
      String nodeId, long maxVolumesPerNode, SocketRoot socketRoot, BindMounter mounter) {
    this.nodeId = nodeId;
    this.maxVolumesPerNode = maxVolumesPerNode;
    this.socketRoot = socketRoot;
    this.mounter = mounter;
  }

  @Override
  public void nodePublishVolume(
      NodePublishVolumeRequest request, StreamObserver<NodePublishVolumeResponse> observer) {
    UnaryCall.answer("NodePublishVolume", observer, () -> publish(request));
  }

  private NodePublishVolumeResponse publish(NodePublishVolumeRequest request) {
    if (request.getVolumeId().isEmpty()) {
      throw UnaryCall.invalid("NodePublishVolume needs a volume_id");
    }
    if (request.getTargetPath().isEmpty()) {
      throw UnaryCall.invalid("NodePublishVolume needs a target_path");
    }
    if (!request.hasVolumeCapability()) {
      throw UnaryCall.invalid("NodePublishVolume needs a volume_capability");
    }
    ControllerService.unsupported(request.getVolumeCapability())
        .ifPresent(
            reason -> {
              throw UnaryCall.invalid(reason);
            });
    Path target = targetPath(request.getTargetPath());
    VolumeId volume =
        VolumeId.decode(request.getVolumeId())
            .orElseThrow(
                () ->
                    Status.NOT_FOUND
                        .withDescription("volume " + request.getVolumeId() + " does not exist")
                        .asRuntimeException());
    boolean readOnly = request.getReadonly() || readerOnly(request.getVolumeCapability());
    Path source = socketRoot.clusterDirectory(volume);
    synchronized (mountLock) {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)
          && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        throw Status.FAILED_PRECONDITION
            .withDescription("target path exists and is not a directory: " + target)
            .asRuntimeException();
      }
      Optional<BindMounter.MountPoint> mounted = mounter.mountAt(target);
      if (mounted.isPresent()) {
        if (!sameDirectory(source, target)) {
          throw Status.ALREADY_EXISTS
              .withDescription("target path " + target + " already has another volume mounted")
              .asRuntimeException();
        }
        if (mounted.get().readOnly() != readOnly) {
          throw Status.ALREADY_EXISTS
              .withDescription(
                  "volume "
                      + volume
                      + " is already published at "
                      + target
                      + (readOnly ? " read-write" : " read-only"))
              .asRuntimeException();
        }
        return NodePublishVolumeResponse.getDefaultInstance(); // already done
      }
      try {
        Files.createDirectories(target);
      } catch (IOException e) {
        throw Status.INTERNAL
            .withDescription("cannot create target path " + target + ": " + e)
            .asRuntimeException();
      }
      mounter.bind(source, target, readOnly);
    }
    return NodePublishVolumeResponse.getDefaultInstance();
  }

  @Override
  public void nodeUnpublishVolume(
      NodeUnpublishVolumeRequest request, StreamObserver<NodeUnpublishVolumeResponse> observer) {
    UnaryCall.answer(
        "NodeUnpublishVolume",
        observer,
        () -> {
          if (request.getVolumeId().isEmpty()) {
            throw UnaryCall.invalid("NodeUnpublishVolume needs a volume_id");
          }
          if (request.getTargetPath().isEmpty()) {
            throw UnaryCall.invalid("NodeUnpublishVolume needs a target_path");
          }
          Path target = targetPath(request.getTargetPath());
          synchronized (mountLock) {
            for (int layers = 0; mounter.mountAt(target).isPresent(); layers++) {
              if (layers == MAX_MOUNT_LAYERS) {
                throw Status.INTERNAL
                    .withDescription("target path " + target + " stays mounted after unmounting")
                    .asRuntimeException();
              }
              mounter.unmount(target); // one layer per call: a target mounted twice needs two
            }
            try {
              if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(target);
              }
            } catch (DirectoryNotEmptyException e) {
              throw Status.FAILED_PRECONDITION
                  .withDescription("target path " + target + " is not a mount and not empty")
                  .asRuntimeException();
            } catch (NoSuchFileException e) {
              // removed concurrently: done
            } catch (IOException e) {
              throw Status.INTERNAL
                  .withDescription("cannot remove target path " + target + ": " + e)
                  .asRuntimeException();
            }
          }
          return NodeUnpublishVolumeResponse.getDefaultInstance();
        });
  }

  @Override
  public void nodeGetCapabilities(
      NodeGetCapabilitiesRequest request, StreamObserver<NodeGetCapabilitiesResponse> observer) {
    // No STAGE_UNSTAGE_VOLUME: a bind mount needs no per-node staging, so kubelet publishes
    // directly.
    UnaryCall.answer(
        "NodeGetCapabilities", observer, NodeGetCapabilitiesResponse::getDefaultInstance);
  }

  @Override
  public void nodeGetInfo(
      NodeGetInfoRequest request, StreamObserver<NodeGetInfoResponse> observer) {
    UnaryCall.answer(
        "NodeGetInfo",
        observer,
        () ->
            NodeGetInfoResponse.newBuilder()
                .setNodeId(nodeId)
                .setMaxVolumesPerNode(maxVolumesPerNode)
                .setAccessibleTopology(
                    Topology.newBuilder().putSegments(ControllerService.TOPOLOGY_KEY, nodeId))
                .build());
  }

  private static Path targetPath(String given) {
    Path path = Path.of(given);
    if (!path.isAbsolute()) {
      throw UnaryCall.invalid("target_path must be absolute: " + given);
    }
    Path normal = path.normalize();
    Path parent = normal.getParent();
    if (parent == null) {
      throw UnaryCall.invalid("target_path must not be the root directory");
    }
    try {
      // the mount table names real paths: resolve the parent's symbolic links (not the target's)
      return parent.toRealPath().resolve(normal.getFileName());
    } catch (IOException e) {
      return normal; // parent missing: nothing is mounted there yet
    }
  }

  private static boolean readerOnly(VolumeCapability capability) {
    VolumeCapability.AccessMode.Mode mode = capability.getAccessMode().getMode();
    return mode == VolumeCapability.AccessMode.Mode.SINGLE_NODE_READER_ONLY
        || mode == VolumeCapability.AccessMode.Mode.MULTI_NODE_READER_ONLY;
  }

  private static boolean sameDirectory(Path source, Path target) {
    try {
      return Files.isSameFile(source, target);
    } catch (IOException e) {
      return false;
    }
  }
}
