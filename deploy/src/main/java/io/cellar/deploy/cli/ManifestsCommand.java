package io.cellar.deploy.cli;

import io.cellar.deploy.crd.CsiDriver;
import io.cellar.deploy.crd.Vineyardd;
import io.cellar.deploy.render.CsiResources;
import io.cellar.deploy.render.OperatorResources;
import io.cellar.deploy.render.Owner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vineyardctl manifests}: prints objects as YAML without touching a cluster, so {@code
 * vineyardctl manifests | kubectl apply -f -} installs them. Alone it prints the operator's objects
 * (what {@code deploy operator} applies, with the Namespace); {@code --crds}, {@code --rbac},
 * {@code --manager}, {@code --namespace-object} choose among them. Its subcommands print a
 * Vineyardd, the objects of {@code deploy vineyard-deployment}, or a CSIDriver (with {@code
 * --rendered}: the objects the operator would make of it).
 */
@Command(
    name = "manifests",
    mixinStandardHelpOptions = true,
    description = "Print Kubernetes objects as YAML (pipe them into kubectl apply -f -).",
    subcommands = {
      ManifestsCommand.VineyarddCmd.class,
      ManifestsCommand.VineyardDeployment.class,
      ManifestsCommand.CsiDriverCmd.class
    })
public final class ManifestsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin OperatorFlags operator;

  @Option(names = "--crds", description = "the two CRDs")
  boolean crds;

  @Option(names = "--rbac", description = "the operator's ServiceAccount, roles and bindings")
  boolean rbac;

  @Option(names = "--manager", description = "the operator Deployment")
  boolean manager;

  @Option(names = "--namespace-object", description = "the Namespace object of -n")
  boolean namespaceObject;

  @Option(names = "--leader-elect", description = "run the operator with --leader-elect=true")
  boolean leaderElect;

  /** Creates the command (picocli instantiates it). */
  public ManifestsCommand() {}

  static Globals globals(CommandLine.Model.CommandSpec spec) {
    return spec.root().userObject() instanceof GlobalsHolder h ? h.globals() : new Globals();
  }

  static int print(CommandLine.Model.CommandSpec spec, List<? extends HasMetadata> objects) {
    PrintWriter out = spec.commandLine().getOut();
    out.print(Manifests.yaml(objects));
    out.flush();
    return 0;
  }

  @Override
  public Integer call() {
    boolean all = !crds && !rbac && !manager && !namespaceObject;
    String ns = globals(spec).namespace;
    return print(
        spec,
        OperatorResources.render(
            new OperatorResources.Options(
                ns,
                operator.image,
                operator.pullPolicy.name(),
                all || namespaceObject,
                all || crds,
                all || rbac,
                all || manager,
                leaderElect,
                operator.hostNetwork)));
  }

  /** {@code manifests vineyardd}: the Vineyardd resource the flags describe. */
  @Command(
      name = "vineyardd",
      mixinStandardHelpOptions = true,
      description = "Print the Vineyardd resource that deploy vineyardd would create.")
  static final class VineyarddCmd implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin VineyarddFlags vineyardd;

    @Override
    public Integer call() {
      return print(spec, List.of(vineyardd.build(globals(spec).namespace)));
    }
  }

  /** {@code manifests vineyard-deployment}: etcd and vineyardd objects, no operator needed. */
  @Command(
      name = "vineyard-deployment",
      mixinStandardHelpOptions = true,
      description =
          "Print the etcd and vineyardd objects that deploy vineyard-deployment would apply.")
  static final class VineyardDeployment implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin VineyarddFlags vineyardd;

    @Override
    public Integer call() {
      Vineyardd v = vineyardd.build(globals(spec).namespace);
      return print(spec, DeployCommand.VineyardDeployment.render(v, ""));
    }
  }

  /** {@code manifests csidriver}: the CSIDriver resource, or with --rendered its objects. */
  @Command(
      name = "csidriver",
      mixinStandardHelpOptions = true,
      description = "Print the CSIDriver resource that deploy csidriver would create.")
  static final class CsiDriverCmd implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin CsiDriverFlags csi;

    @Option(
        names = "--rendered",
        description =
            "print the objects the operator makes of it instead (in -n, without owner references)")
    boolean rendered;

    @Override
    public Integer call() {
      Globals g = globals(spec);
      CsiDriver cr = csi.build(g.verbose);
      if (!rendered) {
        return print(spec, List.of(cr));
      }
      List<HasMetadata> objects =
          new ArrayList<>(
              CsiResources.render(cr, g.namespace, cr.getSpec().clusters, Owner.vineyardctl(null)));
      return print(spec, objects);
    }
  }
}
