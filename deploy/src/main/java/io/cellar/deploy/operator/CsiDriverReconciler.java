package io.cellar.deploy.operator;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.CsiDriverStatus;
import io.cellar.deploy.crd.VineyardCluster;
import io.cellar.deploy.crd.Vineyardd;
import io.cellar.deploy.render.CsiResources;
import io.cellar.deploy.render.Labels;
import io.cellar.deploy.render.Owner;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a {@link CsiDriver}: applies the {@code storage.k8s.io} CSIDriver, the provisioner's
 * RBAC, the controller Deployment, the node DaemonSet and a StorageClass per listed vineyard
 * cluster that exists, deletes the StorageClasses of clusters no longer listed, and reports {@code
 * status.state} ({@code running} once both workloads are ready) with the conditions {@code Ready},
 * {@code ClustersFound} (reason {@code ClusterNotFound} naming the missing ones) and {@code
 * Reconciled}. The namespaced children live in the operator's namespace. Only one CSIDriver is in
 * charge (the oldest); another gets {@code Ready=False, reason=Duplicate} and no children.
 */
public final class CsiDriverReconciler implements Reconciler<CsiDriver> {
  private static final Logger LOG = LoggerFactory.getLogger(CsiDriverReconciler.class);

  private final KubernetesClient client;
  private final ChildApplier applier;
  private final Conditions conditions;
  private final String namespace;

  /**
   * Creates the reconciler.
   *
   * @param client the client
   * @param namespace the operator's namespace, where the workloads go
   */
  public CsiDriverReconciler(KubernetesClient client, String namespace) {
    this.client = client;
    this.applier = new ChildApplier(client, ChildApplier.FIELD_MANAGER);
    this.conditions = new Conditions(Clock.systemUTC());
    this.namespace = namespace;
  }

  @Override
  public List<EventSource<?, CsiDriver>> prepareEventSources(EventSourceContext<CsiDriver> ctx) {
    List<EventSource<?, CsiDriver>> sources = new ArrayList<>();
    sources.add(owned(ctx, Deployment.class, true));
    sources.add(owned(ctx, DaemonSet.class, true));
    sources.add(owned(ctx, StorageClass.class, false));
    // a Vineyardd that appears or goes wakes the CSIDrivers that list it
    sources.add(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Vineyardd.class, CsiDriver.class)
                .withName("csidriver-vineyardd")
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(
                    (Vineyardd v) ->
                        ctx.getPrimaryCache()
                            .list(
                                d ->
                                    d.getSpec() != null
                                        && d.getSpec().clusters != null
                                        && d.getSpec()
                                            .clusters
                                            .contains(
                                                new VineyardCluster(
                                                    v.getMetadata().getNamespace(),
                                                    v.getMetadata().getName())))
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            ctx));
    return sources;
  }

  private <R extends HasMetadata> InformerEventSource<R, CsiDriver> owned(
      EventSourceContext<CsiDriver> ctx, Class<R> type, boolean namespaced) {
    InformerEventSourceConfiguration.Builder<R> b =
        InformerEventSourceConfiguration.from(type, CsiDriver.class)
            .withName("csidriver-" + type.getSimpleName().toLowerCase(Locale.ROOT))
            .withLabelSelector(VineyarddReconciler.SELECTOR)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(CsiDriver.class, true));
    if (namespaced) {
      b.withNamespaces(namespace);
    }
    return new InformerEventSource<>(b.build(), ctx);
  }

  @Override
  public UpdateControl<CsiDriver> reconcile(CsiDriver cr, Context<CsiDriver> ctx) {
    if (cr.isMarkedForDeletion()) {
      return UpdateControl.noUpdate(); // the garbage collector is removing the children
    }
    List<Condition> old = cr.getStatus() == null ? null : cr.getStatus().conditions;
    Long generation = cr.getMetadata().getGeneration();
    Optional<CsiDriver> inCharge =
        ctx.getPrimaryCache().list().min(Comparator.comparing(CsiDriverReconciler::age));
    if (inCharge.isPresent()
        && !inCharge.get().getMetadata().getName().equals(cr.getMetadata().getName())) {
      CsiDriverStatus status = new CsiDriverStatus();
      status.state = CsiDriverStatus.PENDING;
      status.observedGeneration = generation;
      status.conditions.add(
          conditions.condition(
              old,
              "Ready",
              false,
              "Duplicate",
              "only one CSIDriver per cluster: "
                  + inCharge.get().getMetadata().getName()
                  + " is in charge of "
                  + CsiResources.DRIVER,
              generation));
      return patch(cr, status, Duration.ofMinutes(1));
    }
    List<VineyardCluster> listed =
        cr.getSpec().clusters == null ? List.of() : cr.getSpec().clusters;
    List<VineyardCluster> found = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (VineyardCluster c : listed) {
      if (exists(ctx, c)) {
        found.add(c);
      } else {
        missing.add(c.toString());
      }
    }
    List<HasMetadata> desired = CsiResources.render(cr, namespace, found, Owner.operator(cr));
    List<ChildApplier.Failure> failures = new ArrayList<>();
    for (HasMetadata object : desired) {
      try {
        applier.apply(object);
      } catch (KubernetesClientException e) {
        if (object instanceof StorageClass && e.getCode() == 422) {
          // parameters and binding mode of a StorageClass are immutable: replace it
          try {
            client.resource(object).withTimeout(30, java.util.concurrent.TimeUnit.SECONDS).delete();
            applier.apply(object);
            continue;
          } catch (KubernetesClientException again) {
            failures.add(ChildApplier.failure(object, again));
            continue;
          }
        }
        failures.add(ChildApplier.failure(object, e));
      }
    }
    failures.addAll(pruneStorageClasses(cr, ctx, found));
    failures.forEach(f -> LOG.warn("CSIDriver {}: {}", cr.getMetadata().getName(), f.describe()));

    Optional<Deployment> controller =
        ctx.getSecondaryResources(Deployment.class).stream()
            .filter(d -> d.getMetadata().getName().equals(CsiResources.controllerName(cr)))
            .findFirst();
    Optional<DaemonSet> nodes =
        ctx.getSecondaryResources(DaemonSet.class).stream()
            .filter(d -> d.getMetadata().getName().equals(CsiResources.nodesName(cr)))
            .findFirst();
    String notReady = notReady(controller, nodes);
    boolean ready = notReady.isEmpty() && failures.isEmpty();
    CsiDriverStatus status = new CsiDriverStatus();
    status.state = ready ? CsiDriverStatus.RUNNING : CsiDriverStatus.PENDING;
    status.observedGeneration = generation;
    status.conditions.add(
        conditions.condition(
            old,
            "Ready",
            ready,
            ready ? "WorkloadsReady" : failures.isEmpty() ? "WorkloadsNotReady" : "ApplyFailed",
            ready
                ? "the controller and the node plugins are ready"
                : notReady.isEmpty() ? "a child object was refused" : notReady,
            generation));
    status.conditions.add(
        conditions.condition(
            old,
            "ClustersFound",
            missing.isEmpty(),
            missing.isEmpty() ? "AllFound" : "ClusterNotFound",
            missing.isEmpty()
                ? "every listed vineyard cluster exists"
                : "vineyard cluster(s) not found (no Vineyardd of that namespace/name): "
                    + String.join(", ", missing),
            generation));
    status.conditions.add(
        conditions.condition(
            old,
            "Reconciled",
            failures.isEmpty(),
            failures.isEmpty() ? "Applied" : "ApplyFailed",
            failures.isEmpty()
                ? "every child object is applied"
                : failures.stream()
                    .map(ChildApplier.Failure::describe)
                    .collect(Collectors.joining("; ")),
            generation));
    Duration next =
        !failures.isEmpty() || !missing.isEmpty()
            ? VineyarddReconciler.RETRY
            : ready ? VineyarddReconciler.RESYNC : VineyarddReconciler.RETRY.multipliedBy(2);
    return patch(cr, status, next);
  }

  private static String age(CsiDriver d) {
    String created = d.getMetadata().getCreationTimestamp();
    return (created == null ? "~" : created) + "/" + d.getMetadata().getName();
  }

  private boolean exists(Context<CsiDriver> ctx, VineyardCluster c) {
    if (c.namespace == null || c.name == null) {
      return false;
    }
    return ctx.getSecondaryResources(Vineyardd.class).stream()
            .anyMatch(
                v ->
                    c.namespace.equals(v.getMetadata().getNamespace())
                        && c.name.equals(v.getMetadata().getName()))
        || client.resources(Vineyardd.class).inNamespace(c.namespace).withName(c.name).get() != null
        // a cluster deployed without the operator (vineyardctl deploy vineyard-deployment)
        || client.apps().deployments().inNamespace(c.namespace).withName(c.name).get() != null;
  }

  private List<ChildApplier.Failure> pruneStorageClasses(
      CsiDriver cr, Context<CsiDriver> ctx, List<VineyardCluster> found) {
    Set<String> wanted = new HashSet<>();
    found.forEach(c -> wanted.add(c.storageClassName()));
    List<ChildApplier.Failure> failures = new ArrayList<>();
    for (StorageClass sc : ctx.getSecondaryResources(StorageClass.class)) {
      if (!wanted.contains(sc.getMetadata().getName())
          && cr.getMetadata().getName().equals(sc.getMetadata().getLabels().get(Labels.NAME))) {
        try {
          client.resource(sc).delete();
          LOG.info(
              "CSIDriver {}: deleted StorageClass {}",
              cr.getMetadata().getName(),
              sc.getMetadata().getName());
        } catch (KubernetesClientException e) {
          failures.add(ChildApplier.failure(sc, e));
        }
      }
    }
    return failures;
  }

  private static String notReady(Optional<Deployment> controller, Optional<DaemonSet> nodes) {
    List<String> waiting = new ArrayList<>();
    if (controller.isEmpty()) {
      waiting.add("controller Deployment not created yet");
    } else {
      var s = controller.get().getStatus();
      int want = Objects.requireNonNullElse(controller.get().getSpec().getReplicas(), 1);
      int have = s == null || s.getReadyReplicas() == null ? 0 : s.getReadyReplicas();
      if (have < want) {
        waiting.add("controller " + have + "/" + want + " ready");
      }
    }
    if (nodes.isEmpty()) {
      waiting.add("node DaemonSet not created yet");
    } else {
      var s = nodes.get().getStatus();
      int want =
          s == null || s.getDesiredNumberScheduled() == null ? -1 : s.getDesiredNumberScheduled();
      int have = s == null || s.getNumberReady() == null ? 0 : s.getNumberReady();
      if (want < 0 || have < want) {
        waiting.add("node plugins " + have + "/" + Math.max(want, 0) + " ready");
      }
    }
    return String.join(", ", waiting);
  }

  private UpdateControl<CsiDriver> patch(CsiDriver cr, CsiDriverStatus status, Duration next) {
    if (cr.getStatus() != null
        && Serialization.asJson(status).equals(Serialization.asJson(cr.getStatus()))) {
      return UpdateControl.<CsiDriver>noUpdate().rescheduleAfter(next);
    }
    CsiDriver patch = new CsiDriver();
    patch.setMetadata(new ObjectMetaBuilder().withName(cr.getMetadata().getName()).build());
    patch.setStatus(status);
    return UpdateControl.patchStatus(patch).rescheduleAfter(next);
  }

  @Override
  public ErrorStatusUpdateControl<CsiDriver> updateErrorStatus(
      CsiDriver cr, Context<CsiDriver> ctx, Exception e) {
    if (cr.isMarkedForDeletion()) {
      return ErrorStatusUpdateControl.<CsiDriver>noStatusUpdate().withNoRetry();
    }
    LOG.warn("CSIDriver {} failed to reconcile: {}", cr.getMetadata().getName(), e.toString());
    CsiDriverStatus status = new CsiDriverStatus();
    status.state = CsiDriverStatus.PENDING;
    status.observedGeneration = cr.getMetadata().getGeneration();
    List<Condition> old = cr.getStatus() == null ? null : cr.getStatus().conditions;
    status.conditions.add(
        conditions.condition(
            old,
            "Reconciled",
            false,
            "ReconcileError",
            String.valueOf(e.getMessage()),
            status.observedGeneration));
    CsiDriver patch = new CsiDriver();
    patch.setMetadata(new ObjectMetaBuilder().withName(cr.getMetadata().getName()).build());
    patch.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(patch).rescheduleAfter(VineyarddReconciler.RETRY);
  }
}
