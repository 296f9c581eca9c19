package io.cellar.testing.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes (bash) standing in for the components. */
class LoggedProcessTest {
  @TempDir Path dir;

  @Test
  void stopsAProcessThatHonoursSigtermWithinTheGrace() throws Exception {
    LoggedProcess p =
        LoggedProcess.start(
            "sleeper",
            List.of("bash", "-c", "echo started; exec sleep 600"),
            dir,
            dir.resolve("sleeper.log"),
            Map.of());
    Poll.until(
        "sleeper logs",
        Duration.ofSeconds(10),
        () -> printed(p, "started") ? Optional.of(true) : Optional.empty(),
        () -> null);
    assertTrue(p.isAlive());
    assertNull(p.deathNote());
    assertTrue(p.stop(Duration.ofSeconds(10)));
    assertFalse(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  void killsAProcessThatIgnoresSigterm() throws Exception {
    LoggedProcess p =
        LoggedProcess.start(
            "stubborn",
            List.of("bash", "-c", "trap '' TERM; echo trapped; while :; do sleep 1; done"),
            dir,
            dir.resolve("stubborn.log"),
            Map.of());
    Poll.until(
        "the trap is set",
        Duration.ofSeconds(10),
        () -> printed(p, "trapped") ? Optional.of(true) : Optional.empty(),
        () -> null);
    assertFalse(p.stop(Duration.ofMillis(300)));
    assertFalse(p.isAlive());
  }

  /**
   * Whether the process printed this line. Not a substring test: the log's first line is the
   * command itself, which holds the word too (the trap test once sent SIGTERM before the trap was
   * set, seeing "trapped" in {@code echo trapped}).
   */
  private static boolean printed(LoggedProcess p, String line) {
    return p.tail(5).lines().anyMatch(line::equals);
  }

  @Test
  void aDeadProcessSaysHowItEndedWithTheTailOfItsLog() throws Exception {
    LoggedProcess p =
        LoggedProcess.start(
            "failing",
            List.of("bash", "-c", "for i in $(seq 1 100); do echo line $i; done; exit 3"),
            dir,
            dir.resolve("failing.log"),
            Map.of("IGNORED", "x"));
    String note =
        Poll.until(
            "the process exits",
            Duration.ofSeconds(10),
            () -> Optional.ofNullable(p.deathNote()),
            () -> null);
    assertTrue(note.startsWith("failing exited with code 3"), note);
    assertTrue(note.contains("line 100"), note);
    assertFalse(note.contains("line 50\n"), note);
    assertEquals("line 99\nline 100", p.tail(2));
  }
}
