package io.cellar.it;

import io.cellar.testing.daemon.DaemonKind;
import io.cellar.testing.etcd.EtcdCluster;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The mixed fleet with the reference vineyardd as instance 0 and Cellar as instance 1. */
class ReferenceThenCellarIT extends MixedFleetScenarios {
  @RegisterExtension static final EtcdCluster ETCD = EtcdCluster.single();

  @Override
  EtcdCluster etcd() {
    return ETCD;
  }

  @Override
  DaemonKind[] kinds() {
    return new DaemonKind[] {DaemonKind.REFERENCE, DaemonKind.CELLAR};
  }

  @Override
  String order() {
    return "reference-cellar";
  }
}
