package io.cellar.deploy.operator;

import io.cellar.deploy.crd.Vineyardd;
import io.cellar.deploy.crd.VineyarddStatus;
import io.cellar.deploy.render.EtcdResources;
import io.cellar.deploy.render.Labels;
import io.cellar.deploy.render.Owner;
import io.cellar.deploy.render.VineyarddResources;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a {@link Vineyardd}: applies the etcd StatefulSet and Services, the vineyardd
 * Deployment, the {@code {name}-rpc} Service and the spill claim, then copies the workloads' state
 * into the status ({@code current} = ready vineyardd replicas, the Deployment's conditions, {@code
 * EtcdReady} and {@code Reconciled}). Informers on the children (selected by {@code
 * app.kubernetes.io/managed-by=vineyard-operator}, mapped back by owner reference) bring a deleted
 * or edited child back at once. JOSDK runs one reconcile per resource at a time.
 */
public final class VineyarddReconciler implements Reconciler<Vineyardd> {
  private static final Logger LOG = LoggerFactory.getLogger(VineyarddReconciler.class);
  static final String SELECTOR = Labels.MANAGED_BY + "=" + Labels.OPERATOR;

  /** How often a healthy resource is looked at again without an event. */
  static final Duration RESYNC = Duration.ofMinutes(1);

  /** How soon a resource with a failed child is tried again. */
  static final Duration RETRY = Duration.ofSeconds(15);

  private final ChildApplier applier;
  private final Conditions conditions;

  /**
   * Creates the reconciler.
   *
   * @param client the client children are applied with
   */
  public VineyarddReconciler(KubernetesClient client) {
    this(new ChildApplier(client, ChildApplier.FIELD_MANAGER), Clock.systemUTC());
  }

  VineyarddReconciler(ChildApplier applier, Clock clock) {
    this.applier = applier;
    this.conditions = new Conditions(clock);
  }

  @Override
  public List<EventSource<?, Vineyardd>> prepareEventSources(EventSourceContext<Vineyardd> ctx) {
    List<EventSource<?, Vineyardd>> sources = new ArrayList<>();
    sources.add(informer(ctx, Deployment.class));
    sources.add(informer(ctx, StatefulSet.class));
    sources.add(informer(ctx, Service.class));
    sources.add(informer(ctx, PersistentVolumeClaim.class));
    return sources;
  }

  private static <R extends HasMetadata> InformerEventSource<R, Vineyardd> informer(
      EventSourceContext<Vineyardd> ctx, Class<R> type) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, Vineyardd.class)
            .withName("vineyardd-" + type.getSimpleName().toLowerCase(java.util.Locale.ROOT))
            .withLabelSelector(SELECTOR)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Vineyardd.class, false))
            .build(),
        ctx);
  }

  @Override
  public UpdateControl<Vineyardd> reconcile(Vineyardd v, Context<Vineyardd> ctx) {
    if (v.isMarkedForDeletion()) {
      return UpdateControl.noUpdate(); // the garbage collector is removing the children
    }
    List<HasMetadata> desired = new ArrayList<>();
    Owner owner = Owner.operator(v);
    desired.addAll(EtcdResources.render(v, owner));
    desired.addAll(VineyarddResources.render(v, owner));
    List<ChildApplier.Failure> failures = applier.apply(desired);
    failures.forEach(
        f ->
            LOG.warn(
                "Vineyardd {}/{}: {}",
                v.getMetadata().getNamespace(),
                v.getMetadata().getName(),
                f.describe()));
    Optional<Deployment> deployment =
        ctx.getSecondaryResources(Deployment.class).stream()
            .filter(d -> d.getMetadata().getName().equals(v.getMetadata().getName()))
            .findFirst();
    Optional<StatefulSet> etcd =
        ctx.getSecondaryResources(StatefulSet.class).stream()
            .filter(s -> s.getMetadata().getName().equals(EtcdResources.statefulSetName(v)))
            .findFirst();
    VineyarddStatus status = status(v, deployment, etcd, failures);
    boolean ready =
        failures.isEmpty()
            && Objects.equals(status.current, v.getSpec().replicas)
            && Objects.equals(status.etcdReady, v.getSpec().etcdReplicas);
    Duration next = failures.isEmpty() ? (ready ? RESYNC : RETRY.multipliedBy(2)) : RETRY;
    if (Objects.equals(serialize(status), serialize(v.getStatus()))) {
      return UpdateControl.<Vineyardd>noUpdate().rescheduleAfter(next);
    }
    Vineyardd patch = new Vineyardd();
    patch.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(v.getMetadata().getName())
            .withNamespace(v.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return UpdateControl.patchStatus(patch).rescheduleAfter(next);
  }

  VineyarddStatus status(
      Vineyardd v,
      Optional<Deployment> deployment,
      Optional<StatefulSet> etcd,
      List<ChildApplier.Failure> failures) {
    List<DeploymentCondition> old = v.getStatus() == null ? null : v.getStatus().conditions;
    VineyarddStatus status = new VineyarddStatus();
    status.observedGeneration = v.getMetadata().getGeneration();
    status.current =
        deployment
            .map(d -> d.getStatus() == null ? null : d.getStatus().getReadyReplicas())
            .orElse(null);
    if (status.current == null) {
      status.current = 0;
    }
    status.etcdReady =
        etcd.map(s -> s.getStatus() == null ? null : s.getStatus().getReadyReplicas()).orElse(null);
    if (status.etcdReady == null) {
      status.etcdReady = 0;
    }
    deployment
        .map(Deployment::getStatus)
        .map(s -> s.getConditions())
        .ifPresent(status.conditions::addAll);
    int members = v.getSpec().etcdReplicas;
    status.conditions.add(
        conditions.deploymentCondition(
            old,
            "EtcdReady",
            status.etcdReady >= members,
            status.etcdReady >= members ? "MembersReady" : "MembersNotReady",
            status.etcdReady + " of " + members + " etcd members ready"));
    if (failures.isEmpty()) {
      status.conditions.add(
          conditions.deploymentCondition(
              old, "Reconciled", true, "Applied", "every child object is applied"));
    } else {
      StringBuilder message = new StringBuilder();
      for (ChildApplier.Failure f : failures) {
        message.append(message.isEmpty() ? "" : "; ").append(f.describe());
      }
      status.conditions.add(
          conditions.deploymentCondition(
              old, "Reconciled", false, "ApplyFailed", message.toString()));
    }
    return status;
  }

  private static String serialize(VineyarddStatus status) {
    return status == null ? null : io.fabric8.kubernetes.client.utils.Serialization.asJson(status);
  }

  @Override
  public ErrorStatusUpdateControl<Vineyardd> updateErrorStatus(
      Vineyardd v, Context<Vineyardd> ctx, Exception e) {
    if (v.isMarkedForDeletion()) {
      return ErrorStatusUpdateControl.<Vineyardd>noStatusUpdate().withNoRetry();
    }
    LOG.warn(
        "Vineyardd {}/{} failed to reconcile: {}",
        v.getMetadata().getNamespace(),
        v.getMetadata().getName(),
        e.toString());
    VineyarddStatus status = v.getStatus() == null ? new VineyarddStatus() : v.getStatus();
    List<DeploymentCondition> old = status.conditions;
    List<DeploymentCondition> kept = new ArrayList<>();
    for (DeploymentCondition c : old) {
      if (!"Reconciled".equals(c.getType())) {
        kept.add(c);
      }
    }
    kept.add(
        conditions.deploymentCondition(
            old, "Reconciled", false, "ReconcileError", String.valueOf(e.getMessage())));
    status.conditions = kept;
    Vineyardd patch = new Vineyardd();
    patch.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(v.getMetadata().getName())
            .withNamespace(v.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(patch).rescheduleAfter(RETRY);
  }
}
