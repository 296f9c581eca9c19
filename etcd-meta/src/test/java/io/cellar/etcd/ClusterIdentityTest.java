package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Response;
import org.junit.jupiter.api.Test;

class ClusterIdentityTest {
  private static Response.Header header(long cluster, long revision) {
    return new Response.Header() {
      @Override
      public long getClusterId() {
        return cluster;
      }

      @Override
      public long getMemberId() {
        return 1;
      }

      @Override
      public long getRevision() {
        return revision;
      }

      @Override
      public long getRaftTerm() {
        return 1;
      }
    };
  }

  @Test
  void aSlowResponseWithAnOlderRevisionIsNoLoss() {
    ClusterIdentity id = new ClusterIdentity();
    ClusterIdentity.Seen slow = id.beforeSend();
    assertTrue(id.check(header(7, 100), id.beforeSend()));
    assertTrue(id.check(header(7, 90), slow), "sent before 100 was seen");
  }

  @Test
  void aRevisionBelowWhatWasSeenOrAnotherClusterIsLoss() {
    ClusterIdentity id = new ClusterIdentity();
    assertTrue(id.check(header(7, 100), id.beforeSend()));
    assertFalse(id.check(header(7, 5), id.beforeSend()));
    assertFalse(id.check(header(8, 200), id.beforeSend()));
    id.observe(300);
    assertTrue(id.showsLoss(header(7, 250)));
    id.rebase(header(8, 3));
    assertTrue(id.check(header(8, 4), id.beforeSend()));
    assertFalse(id.showsLoss(header(8, 4)));
  }
}
