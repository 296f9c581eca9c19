package io.cellar.deploy.cli;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.Vineyardd;
import io.cellar.deploy.render.Labels;
import io.cellar.deploy.render.OperatorResources;
import io.cellar.deploy.render.SpillResources;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vineyardctl delete}: the reference's delete commands. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = "Delete the vineyard operator, a vineyard cluster or the CSI driver.",
    subcommands = {
      DeleteCommand.Operator.class,
      DeleteCommand.VineyarddCmd.class,
      DeleteCommand.VineyardCluster.class,
      DeleteCommand.VineyardDeployment.class,
      DeleteCommand.CsiDriverCmd.class
    })
public final class DeleteCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public DeleteCommand() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "missing what to delete (operator, vineyardd, vineyard-cluster, vineyard-deployment,"
            + " csidriver)");
  }

  /**
   * Deletes the operator's objects (Deployment, RBAC, CRDs, and so every CR), and the namespace
   * when vineyardctl created it.
   */
  static void deleteOperator(KubeSession session) {
    String ns = session.globals().namespace;
    List<HasMetadata> objects =
        new ArrayList<>(OperatorResources.render(OperatorResources.Options.all(ns, "unused")));
    objects.removeIf(o -> o instanceof Namespace);
    Collections.reverse(objects); // the Deployment first, the CRDs last
    Namespace namespace = session.client().namespaces().withName(ns).get();
    if (namespace != null
        && namespace.getMetadata().getLabels() != null
        && Labels.VINEYARDCTL.equals(namespace.getMetadata().getLabels().get(Labels.MANAGED_BY))) {
      objects.add(namespace);
    }
    session.delete(objects);
    new Waiter(session).gone("operator", objects);
  }

  static void deleteVineyardd(KubeSession session, String name) {
    Vineyardd v = new Vineyardd();
    v.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace(session.globals().namespace).build());
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(v);
    objects.addAll(spillVolumes(session, v));
    session.delete(objects);
    new Waiter(session).gone("vineyardd " + name, objects);
  }

  /** The spill PVs of a cluster: cluster-scoped, so found by their labels, not owned. */
  static List<PersistentVolume> spillVolumes(KubeSession session, Vineyardd v) {
    return session
        .client()
        .persistentVolumes()
        .withLabel(Labels.NAME, v.getMetadata().getName())
        .withLabel(SpillResources.NAMESPACE_LABEL, v.getMetadata().getNamespace())
        .list()
        .getItems();
  }

  /** {@code delete operator}. */
  @Command(
      name = "operator",
      mixinStandardHelpOptions = true,
      description =
          "Delete the operator: its Deployment, RBAC and the CRDs (and so every Vineyardd and CSIDriver).")
  static final class Operator extends KubeCommand {
    @Override
    void run(KubeSession session) {
      deleteOperator(session);
    }
  }

  /** {@code delete vineyardd}. */
  @Command(
      name = "vineyardd",
      mixinStandardHelpOptions = true,
      description =
          "Delete a Vineyardd; the garbage collector deletes what the operator made for it.")
  static final class VineyarddCmd extends KubeCommand {
    @Option(
        names = "--name",
        defaultValue = "vineyardd-sample",
        description = "the name of vineyardd (default: ${DEFAULT-VALUE})")
    String name;

    @Override
    void run(KubeSession session) {
      deleteVineyardd(session, name);
    }
  }

  /** {@code delete vineyard-cluster}. */
  @Command(
      name = "vineyard-cluster",
      mixinStandardHelpOptions = true,
      description =
          "Delete the vineyard cluster, then the operator (delete vineyardd + delete operator).")
  static final class VineyardCluster extends KubeCommand {
    @Option(
        names = "--name",
        defaultValue = "vineyardd-sample",
        description = "the name of vineyardd (default: ${DEFAULT-VALUE})")
    String name;

    @Override
    void run(KubeSession session) {
      if (session
              .client()
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(Vineyardd.CRD_NAME)
              .get()
          != null) {
        deleteVineyardd(session, name);
      }
      deleteOperator(session);
    }
  }

  /** {@code delete vineyard-deployment}. */
  @Command(
      name = "vineyard-deployment",
      mixinStandardHelpOptions = true,
      description = "Delete what deploy vineyard-deployment applied.")
  static final class VineyardDeployment extends KubeCommand {
    @Mixin VineyarddFlags vineyardd;

    @Override
    void run(KubeSession session) {
      Vineyardd v = vineyardd.build(session.globals().namespace);
      List<HasMetadata> objects = new ArrayList<>(DeployCommand.VineyardDeployment.render(v, ""));
      objects.removeIf(o -> o instanceof PersistentVolume);
      objects.addAll(spillVolumes(session, v));
      session.delete(objects);
      new Waiter(session).gone("vineyard deployment " + v.getMetadata().getName(), objects);
    }
  }

  /** {@code delete csidriver}. */
  @Command(
      name = "csidriver",
      mixinStandardHelpOptions = true,
      description =
          "Delete the CSIDriver; the garbage collector deletes its workloads, RBAC and StorageClasses.")
  static final class CsiDriverCmd extends KubeCommand {
    @Option(
        names = "--name",
        defaultValue = "csidriver-sample",
        description = "The name of the csi driver cr (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    void run(KubeSession session) {
      CsiDriver cr = new CsiDriver();
      cr.setMetadata(new ObjectMetaBuilder().withName(name).build());
      session.delete(List.of(cr));
      new Waiter(session).gone("csidriver " + name, List.of(cr));
    }
  }
}
