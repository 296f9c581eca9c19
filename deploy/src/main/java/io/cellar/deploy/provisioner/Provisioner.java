package io.cellar.deploy.provisioner;

import io.cellar.csi.proto.CreateVolumeRequest;
import io.cellar.csi.proto.Volume;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic provisioning for one CSI driver, as external-provisioner does it. Informers watch claims
 * (every namespace), PersistentVolumes and StorageClasses; each change queues the object's key and
 * one worker thread handles it:
 *
 * <ul>
 *   <li>a claim with no volume, whose class names this driver, that the PV controller handed to
 *       this driver ({@code volume.kubernetes.io/storage-provisioner}, or the beta annotation) and,
 *       for WaitForFirstConsumer, that the scheduler gave a node ({@code
 *       volume.kubernetes.io/selected-node}): CreateVolume ({@link ClaimVolumes#createRequest}),
 *       then the PV {@code pvc-<uid>} with a claim reference; the PV controller binds the two;
 *   <li>a PV this driver made ({@code pv.kubernetes.io/provisioned-by}) that is Released with the
 *       reclaim policy Delete: DeleteVolume, then the PV is deleted.
 * </ul>
 *
 * A failure becomes a Warning event on the claim (or a log line for a PV) and is retried with
 * backoff (1 s doubling to 5 min); CreateVolume and DeleteVolume are idempotent, so a retry or a
 * second provisioner repeating a call is harmless. Events: {@code Provisioning}, {@code
 * ProvisioningSucceeded}, {@code ProvisioningFailed}. Threading: informer callbacks only queue
 * keys; all API and driver calls run on the worker thread.
 */
public final class Provisioner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);

  /** How often the informers replay every object (a missed change is picked up then). */
  public static final Duration RESYNC = Duration.ofSeconds(30);

  private static final String CLAIM = "claim:";
  private static final String VOLUME = "pv:";

  private final KubernetesClient client;
  private final DriverClient driverClient;
  private final String driver;
  private final ClaimEvents events;
  private final RetryQueue queue;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<PersistentVolumeClaim> claims;
  private SharedIndexInformer<PersistentVolume> volumes;
  private SharedIndexInformer<StorageClass> classes;

  /**
   * Creates a provisioner; {@link #start} starts it.
   *
   * @param client the API client
   * @param driverClient the driver's CSI services
   * @param driver the driver name (StorageClass {@code provisioner})
   * @param identity who provisions (the event source), e.g. the pod name
   */
  public Provisioner(
      KubernetesClient client, DriverClient driverClient, String driver, String identity) {
    this.client = client;
    this.driverClient = driverClient;
    this.driver = driver;
    this.events = new ClaimEvents(client, driver + "_" + identity);
    this.queue =
        new RetryQueue(
            "csi-provisioner", this::handle, Duration.ofSeconds(1), Duration.ofMinutes(5));
  }

  /** Starts the informers (returns once their caches are filled) and provisions from then on. */
  public synchronized void start() {
    classes = inform(client.storage().v1().storageClasses().inform(queueAllClaims(), 0));
    volumes =
        inform(
            client
                .persistentVolumes()
                .inform(
                    handler(pv -> queue.add(VOLUME + pv.getMetadata().getName())),
                    RESYNC.toMillis()));
    claims =
        inform(
            client
                .persistentVolumeClaims()
                .inAnyNamespace()
                .inform(
                    handler(c -> queue.add(CLAIM + Cache.metaNamespaceKeyFunc(c))),
                    RESYNC.toMillis()));
    LOG.info("provisioning volumes of {} (informers synced)", driver);
  }

  private <T extends HasMetadata> SharedIndexInformer<T> inform(SharedIndexInformer<T> informer) {
    informers.add(informer);
    return informer;
  }

  private ResourceEventHandler<StorageClass> queueAllClaims() {
    return handler(
        sc -> {
          SharedIndexInformer<PersistentVolumeClaim> current = claims;
          if (current != null) {
            current.getStore().list().stream()
                .filter(c -> sc.getMetadata().getName().equals(c.getSpec().getStorageClassName()))
                .forEach(c -> queue.add(CLAIM + Cache.metaNamespaceKeyFunc(c)));
          }
        });
  }

  private static <T> ResourceEventHandler<T> handler(Consumer<T> onChange) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        onChange.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        onChange.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        // a claim's deletion shows as its PV turning Released; nothing to do for the object itself
      }
    };
  }

  private boolean handle(String key) {
    if (key.startsWith(CLAIM)) {
      return provision(key.substring(CLAIM.length()));
    }
    return release(key.substring(VOLUME.length()));
  }

  /** Provisions a claim if it is ours and due; true when nothing (more) is to be done. */
  private boolean provision(String key) {
    PersistentVolumeClaim claim = claims.getStore().getByKey(key);
    if (claim == null
        || claim.getMetadata().getDeletionTimestamp() != null
        || claim.getSpec().getVolumeName() != null && !claim.getSpec().getVolumeName().isEmpty()) {
      return true;
    }
    String className = claim.getSpec().getStorageClassName();
    StorageClass storageClass = className == null ? null : classes.getStore().getByKey(className);
    if (storageClass == null || !driver.equals(storageClass.getProvisioner())) {
      return true;
    }
    Map<String, String> annotations =
        Objects.requireNonNullElse(claim.getMetadata().getAnnotations(), Map.of());
    if (!driver.equals(annotations.get(ClaimVolumes.STORAGE_PROVISIONER))
        && !driver.equals(annotations.get(ClaimVolumes.BETA_STORAGE_PROVISIONER))) {
      return true; // not handed to us (yet): the PV controller annotates it when it is due
    }
    String pvName = ClaimVolumes.volumeName(claim);
    if (volumes.getStore().getByKey(pvName) != null
        || client.persistentVolumes().withName(pvName).get() != null) {
      return true; // made already; the PV controller binds it
    }
    Node node = null;
    if ("WaitForFirstConsumer".equals(storageClass.getVolumeBindingMode())) {
      String selected = annotations.get(ClaimVolumes.SELECTED_NODE);
      if (selected == null || selected.isEmpty()) {
        return true; // the scheduler has not placed a pod of this claim yet
      }
      node = client.nodes().withName(selected).get();
      if (node == null) {
        events.warning(
            claim, "ProvisioningFailed", "the selected node " + selected + " does not exist");
        return false;
      }
    }
    CreateVolumeRequest request;
    try {
      request = ClaimVolumes.createRequest(claim, storageClass, node);
    } catch (IllegalArgumentException e) {
      events.warning(claim, "ProvisioningFailed", e.getMessage());
      return false;
    }
    events.normal(
        claim,
        "Provisioning",
        "External provisioner is provisioning volume for claim \"" + key + "\"");
    Volume volume;
    try {
      volume = driverClient.createVolume(request);
    } catch (StatusRuntimeException e) {
      events.warning(
          claim,
          "ProvisioningFailed",
          "failed to provision volume with StorageClass \""
              + className
              + "\": rpc error: "
              + e.getStatus());
      return false;
    }
    PersistentVolume pv = ClaimVolumes.persistentVolume(claim, storageClass, volume, driver);
    try {
      client.persistentVolumes().resource(pv).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        events.warning(
            claim,
            "ProvisioningFailed",
            "cannot save PersistentVolume " + pvName + ": " + e.getMessage());
        return false; // CreateVolume is idempotent: the retry gets the same volume
      }
    }
    LOG.info("provisioned {} for claim {} ({})", pvName, key, volume.getVolumeId());
    events.normal(claim, "ProvisioningSucceeded", "Successfully provisioned volume " + pvName);
    return true;
  }

  /** Deletes a released volume of ours; true when nothing (more) is to be done. */
  private boolean release(String name) {
    PersistentVolume pv = volumes.getStore().getByKey(name);
    if (pv == null
        || pv.getMetadata().getDeletionTimestamp() != null
        || pv.getSpec().getCsi() == null
        || !driver.equals(pv.getSpec().getCsi().getDriver())
        || !driver.equals(
            Objects.requireNonNullElse(pv.getMetadata().getAnnotations(), Map.<String, String>of())
                .get(ClaimVolumes.PROVISIONED_BY))
        || !"Delete".equals(pv.getSpec().getPersistentVolumeReclaimPolicy())
        || pv.getStatus() == null
        || !"Released".equals(pv.getStatus().getPhase())) {
      return true;
    }
    String handle = pv.getSpec().getCsi().getVolumeHandle();
    try {
      driverClient.deleteVolume(handle);
    } catch (StatusRuntimeException e) {
      LOG.warn("DeleteVolume of {} ({}) failed, retrying: {}", name, handle, e.getStatus());
      return false;
    }
    try {
      client.persistentVolumes().withName(name).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        LOG.warn("cannot delete PersistentVolume {}: {}", name, e.getMessage());
        return false;
      }
    }
    LOG.info("deleted volume {} ({})", name, handle);
    return true;
  }

  /** Stops the informers and the worker. */
  @Override
  public synchronized void close() {
    informers.forEach(SharedIndexInformer::close);
    informers.clear();
    queue.close();
  }
}
