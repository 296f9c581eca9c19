package io.cellar.testing.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code python3 -m venv} environments under a temporary repository root. The pins used are
 * none, or {@code pip} itself (already in every new venv, so pip needs no package index).
 */
class PythonVenvTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path repo;

  @Test
  void createsTheVenvUnderBuildAndRunsScriptsInIt() throws Exception {
    PythonVenv venv = PythonVenv.ensure(repo, "plain", List.of());

    assertEquals(repo.resolve("build/venv-plain"), venv.directory());
    assertTrue(Files.isExecutable(venv.python()));
    String prefix = venv.run(TIMEOUT, "-c", "import sys; print(sys.prefix)").strip();
    assertEquals(venv.directory().toRealPath(), Path.of(prefix).toRealPath());
    assertEquals("", Files.readString(venv.directory().resolve(PythonVenv.MARKER)));
  }

  @Test
  void passesArgumentsAndEnvironmentAndMergesStderr() throws Exception {
    PythonVenv venv = PythonVenv.ensure(repo, "plain", List.of());
    Path script = repo.resolve("hello.py");
    Files.writeString(
        script,
        """
        import os, sys
        print("out", sys.argv[1], os.environ["CELLAR_GREETING"])
        print("err", os.environ["PYTHONDONTWRITEBYTECODE"], file=sys.stderr)
        """);

    String output =
        venv.run(TIMEOUT, Map.of("CELLAR_GREETING", "hi"), List.of(script.toString(), "arg"));

    assertEquals("out arg hi\nerr 1\n", output);
  }

  @Test
  void aFailingScriptThrowsWithItsExitCodeAndOutput() throws Exception {
    PythonVenv venv = PythonVenv.ensure(repo, "plain", List.of());

    PythonScriptException failure =
        assertThrows(
            PythonScriptException.class,
            () -> venv.run(TIMEOUT, "-c", "print('before the end'); raise SystemExit(3)"));

    assertEquals(3, failure.exitCode().orElseThrow());
    assertEquals("before the end\n", failure.output());
    assertTrue(failure.getMessage().contains("exited with 3"), failure.getMessage());
    assertTrue(failure.getMessage().contains("before the end"), failure.getMessage());
  }

  @Test
  void aScriptOverItsTimeoutIsKilledAndThrows() throws Exception {
    PythonVenv venv = PythonVenv.ensure(repo, "plain", List.of());
    long start = System.nanoTime();

    PythonScriptException failure =
        assertThrows(
            PythonScriptException.class,
            () ->
                venv.run(
                    Duration.ofSeconds(2),
                    "-c",
                    "import time; print('started', flush=True); time.sleep(600)"));

    assertTrue(failure.exitCode().isEmpty());
    assertEquals("started\n", failure.output());
    assertTrue(
        System.nanoTime() - start < Duration.ofSeconds(60).toNanos(), "the wait was not cut");
  }

  @Test
  void samePinsReuseTheVenvAndOtherPinsRebuildIt() throws Exception {
    PythonVenv first = PythonVenv.ensure(repo, "kept", List.of());
    Path leftBehind = Files.writeString(first.directory().resolve("left-behind"), "x");

    PythonVenv again = PythonVenv.ensure(repo, "kept", List.of());
    assertTrue(Files.exists(leftBehind), "the same pins rebuilt the venv");
    assertEquals(first.directory(), again.directory());

    PythonVenv other = PythonVenv.ensure(repo, "kept", List.of("pip"));
    assertFalse(Files.exists(leftBehind), "other pins reused the venv");
    assertEquals("pip\n", Files.readString(other.directory().resolve(PythonVenv.MARKER)));
    assertEquals(List.of("pip"), other.requirements());
    other.run(TIMEOUT, "-c", "import pip");
  }

  @Test
  void aVenvWithoutItsMarkerIsRebuilt() throws Exception {
    PythonVenv venv = PythonVenv.ensure(repo, "half", List.of());
    Path leftBehind = Files.writeString(venv.directory().resolve("left-behind"), "x");
    Files.delete(venv.directory().resolve(PythonVenv.MARKER)); // as after a failed pip install

    PythonVenv.ensure(repo, "half", List.of());

    assertFalse(Files.exists(leftBehind));
    assertTrue(Files.exists(venv.directory().resolve(PythonVenv.MARKER)));
  }

  @Test
  void concurrentCallersInOneJvmBuildOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<PythonVenv>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Callable<PythonVenv> call = () -> PythonVenv.ensure(repo, "shared", List.of());
        calls.add(pool.submit(call));
      }
      for (Future<PythonVenv> call : calls) {
        PythonVenv venv = call.get();
        assertEquals("ok\n", venv.run(TIMEOUT, "-c", "print('ok')"));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesNamesAndPinsThatAreNotPlain() {
    assertThrows(
        IllegalArgumentException.class, () -> PythonVenv.ensure(repo, "../escape", List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> PythonVenv.ensure(repo, "ok", List.of("--index-url=http://example")));
    assertThrows(
        IllegalArgumentException.class, () -> PythonVenv.ensure(repo, "ok", List.of("a b")));
  }
}
