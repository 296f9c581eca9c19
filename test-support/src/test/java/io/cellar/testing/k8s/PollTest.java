package io.cellar.testing.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PollTest {
  @Test
  void returnsTheValueOnceTheConditionHolds() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    String value =
        Poll.until(
            "third attempt",
            Duration.ofSeconds(10),
            () -> attempts.incrementAndGet() < 3 ? Optional.empty() : Optional.of("done"),
            () -> null);
    assertEquals("done", value);
    assertEquals(3, attempts.get());
  }

  @Test
  void timesOutNamingTheConditionAndTheLastFailure() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                Poll.until(
                    "the impossible",
                    Duration.ofMillis(100),
                    () -> {
                      throw new IOException("connection refused");
                    },
                    () -> null));
    assertTrue(e.getMessage().contains("waiting for the impossible"), e.getMessage());
    assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
  }

  @Test
  void givesUpAtOnceWhenToldWaitingIsPointless() {
    AtomicInteger attempts = new AtomicInteger();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                Poll.until(
                    "anything",
                    Duration.ofMinutes(5),
                    () -> {
                      attempts.incrementAndGet();
                      return Optional.empty();
                    },
                    () -> attempts.get() >= 2 ? "etcd exited with code 1" : null));
    assertTrue(e.getMessage().contains("etcd exited with code 1"), e.getMessage());
    assertEquals(2, attempts.get());
  }
}
