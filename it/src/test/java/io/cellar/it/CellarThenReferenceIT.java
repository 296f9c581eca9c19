package io.cellar.it;

import io.cellar.testing.daemon.DaemonKind;
import io.cellar.testing.etcd.EtcdCluster;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The mixed fleet with Cellar as instance 0 and the reference vineyardd as instance 1. */
class CellarThenReferenceIT extends MixedFleetScenarios {
  @RegisterExtension static final EtcdCluster ETCD = EtcdCluster.single();

  @Override
  EtcdCluster etcd() {
    return ETCD;
  }

  @Override
  DaemonKind[] kinds() {
    return new DaemonKind[] {DaemonKind.CELLAR, DaemonKind.REFERENCE};
  }

  @Override
  String order() {
    return "cellar-reference";
  }
}
