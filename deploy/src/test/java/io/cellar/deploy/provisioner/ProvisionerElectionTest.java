package io.cellar.deploy.provisioner;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Lease timings: the defaults are ones fabric8's elector accepts; a bad one is named early. */
class ProvisionerElectionTest {
  private static final LeaderCallbacks NONE = new LeaderCallbacks(() -> {}, () -> {}, id -> {});

  @Test
  void theDefaultTimingsAreAcceptedByTheElectorItself() {
    Config config = new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      // building the elector validates the timings (it threw for 15 s / 10 s / 5 s); no call yet
      client
          .leaderElector()
          .withConfig(
              ProvisionerElection.config(
                  "ns", "csi.vineyard.v6d.io", "me", ProvisionerElection.Timing.DEFAULT, NONE))
          .build();
    }
  }

  @Test
  void timingsTheElectorWouldRefuseAreRefusedWithTheRule() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ProvisionerElection.Timing(
                    Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(5)));
    assertTrue(
        e.getMessage().contains("renewDeadline PT10S must be more than 2.2"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ProvisionerElection.Timing(
                    Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("leaseDuration"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ProvisionerElection.Timing(
                Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ZERO));
  }
}
