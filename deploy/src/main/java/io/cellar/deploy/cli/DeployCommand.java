package io.cellar.deploy.cli;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.Vineyardd;
import io.cellar.deploy.render.EtcdResources;
import io.cellar.deploy.render.OperatorResources;
import io.cellar.deploy.render.Owner;
import io.cellar.deploy.render.VineyarddResources;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vineyardctl deploy}: the reference's deploy commands. */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description =
        "Deploy the vineyard operator, a vineyard cluster or the CSI driver on Kubernetes.",
    subcommands = {
      DeployCommand.Operator.class,
      DeployCommand.VineyarddCmd.class,
      DeployCommand.VineyardCluster.class,
      DeployCommand.VineyardDeployment.class,
      DeployCommand.CsiDriverCmd.class
    })
public final class DeployCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public DeployCommand() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "missing what to deploy (operator, vineyardd, vineyard-cluster, vineyard-deployment,"
            + " csidriver)");
  }

  static void deployOperator(KubeSession session, OperatorFlags flags) {
    session.ensureNamespace(true);
    List<HasMetadata> objects =
        OperatorResources.render(flags.options(session.globals().namespace));
    session.apply(objects);
    new Waiter(session).ready("operator", objects);
  }

  static void deployVineyardd(KubeSession session, Vineyardd v) {
    session.ensureNamespace();
    requireCrd(session, Vineyardd.CRD_NAME);
    // right after deploy operator the new CRD may not be served for a moment
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      try {
        session.apply(List.of(v));
        break;
      } catch (UserError e) {
        if (!(e.getCause() instanceof KubernetesClientException k)
            || k.getCode() != 404
            || System.nanoTime() > deadline) {
          throw e;
        }
        sleep();
      }
    }
    new Waiter(session).ready("vineyardd " + v.getMetadata().getName(), List.of(v));
  }

  /** Fails at once, with the fix, when the CRD is not installed (when it may be read at all). */
  static void requireCrd(KubeSession session, String name) {
    try {
      if (session.client().apiextensions().v1().customResourceDefinitions().withName(name).get()
          == null) {
        throw new UserError(
            "the CRD " + name + " is not installed: run vineyardctl deploy operator first");
      }
    } catch (KubernetesClientException e) {
      // no right to read CRDs: the apply below says what is wrong
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("interrupted");
    }
  }

  /** {@code deploy operator}: CRDs, RBAC and the operator Deployment. */
  @Command(
      name = "operator",
      mixinStandardHelpOptions = true,
      description = "Deploy the vineyard operator: the CRDs, its RBAC and its Deployment.")
  static final class Operator extends KubeCommand {
    @Mixin OperatorFlags operator;

    @Override
    void run(KubeSession session) {
      deployOperator(session, operator);
    }
  }

  /** {@code deploy vineyardd}: a Vineyardd resource, which the operator reconciles. */
  @Command(
      name = "vineyardd",
      mixinStandardHelpOptions = true,
      description =
          "Deploy a vineyard cluster as a Vineyardd resource (the operator reconciles it).")
  static final class VineyarddCmd extends KubeCommand {
    @Mixin VineyarddFlags vineyardd;
    private Vineyardd v;

    @Override
    void prepare() {
      v = vineyardd.build(globals().namespace);
    }

    @Override
    void run(KubeSession session) {
      deployVineyardd(session, v);
    }
  }

  /** {@code deploy vineyard-cluster}: the operator, then a Vineyardd. */
  @Command(
      name = "vineyard-cluster",
      mixinStandardHelpOptions = true,
      description =
          "Deploy the vineyard operator, then a vineyard cluster (deploy operator + deploy"
              + " vineyardd; --hostNetwork applies to the operator too).")
  static final class VineyardCluster extends KubeCommand {
    @Mixin OperatorFlags operator;
    @Mixin VineyarddFlags vineyardd;
    private Vineyardd v;

    @Override
    void prepare() {
      v = vineyardd.build(globals().namespace);
    }

    @Override
    void run(KubeSession session) {
      // one host-network cluster: its operator cannot use a pod network that is not there either
      operator.hostNetwork |= Boolean.TRUE.equals(v.getSpec().hostNetwork);
      deployOperator(session, operator);
      deployVineyardd(session, v);
    }
  }

  /** {@code deploy vineyard-deployment}: etcd and vineyardd rendered and applied, no operator. */
  @Command(
      name = "vineyard-deployment",
      mixinStandardHelpOptions = true,
      description =
          "Render the etcd and vineyardd objects here and apply them, without the operator.")
  static final class VineyardDeployment extends KubeCommand {
    @Mixin VineyarddFlags vineyardd;

    @Option(
        names = "--owner-references",
        defaultValue = "",
        paramLabel = "JSON",
        description = "the JSON list of owner references of every object")
    String ownerReferences;

    private List<HasMetadata> objects;

    @Override
    void prepare() {
      objects = render(vineyardd.build(globals().namespace), ownerReferences);
    }

    @Override
    void run(KubeSession session) {
      session.ensureNamespace();
      session.apply(objects);
      List<HasMetadata> workloads = new ArrayList<>();
      for (HasMetadata o : objects) {
        if (o instanceof Deployment || o instanceof StatefulSet) {
          workloads.add(o);
        }
      }
      new Waiter(session).ready("vineyard deployment", workloads);
    }

    static List<HasMetadata> render(Vineyardd v, String ownerReferences) {
      List<HasMetadata> objects = new ArrayList<>();
      Owner owner = Owner.vineyardctl(null);
      objects.addAll(EtcdResources.render(v, owner));
      objects.addAll(VineyarddResources.render(v, owner));
      if (!ownerReferences.isBlank()) {
        List<OwnerReference> refs;
        try {
          refs =
              VineyarddFlags.json(
                  "--owner-references",
                  ownerReferences,
                  new com.fasterxml.jackson.core.type.TypeReference<List<OwnerReference>>() {});
        } catch (UserError e) {
          throw new UserError(
              "--owner-references: not a JSON list of owner references: " + e.getMessage());
        }
        for (HasMetadata o : objects) {
          if (o.getMetadata().getNamespace() != null) {
            o.getMetadata().setOwnerReferences(refs);
          }
        }
      }
      return objects;
    }
  }

  /** {@code deploy csidriver}: a CSIDriver resource, which the operator reconciles. */
  @Command(
      name = "csidriver",
      mixinStandardHelpOptions = true,
      description =
          "Deploy the vineyard CSI driver as a CSIDriver resource (the operator reconciles it).")
  static final class CsiDriverCmd extends KubeCommand {
    @Mixin CsiDriverFlags csi;
    private CsiDriver cr;

    @Override
    void prepare() {
      cr = csi.build(globals().verbose);
    }

    @Override
    void run(KubeSession session) {
      requireCrd(session, CsiDriver.CRD_NAME);
      if (cr.getSpec().clusters.isEmpty()) {
        System.err.println(
            "vineyardctl: no --clusters given: the driver gets no StorageClass until a cluster is listed");
      }
      session.apply(List.of(cr));
      new Waiter(session).ready("csidriver " + cr.getMetadata().getName(), List.of(cr));
    }
  }
}
