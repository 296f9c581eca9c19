package io.cellar.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.core.config.StoreConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GflagsParserTest {
  private static DaemonOptions parse(String... args) throws UsageException {
    return DaemonOptions.parse(args);
  }

  private static String rejection(String... args) {
    return assertThrows(UsageException.class, () -> parse(args)).getMessage();
  }

  @Test
  void defaultsAreVineyardds() throws Exception {
    DaemonOptions o = parse("--size=1G");
    assertEquals("", o.socket());
    assertTrue(o.rpc());
    assertEquals(9600, o.rpcPort());
    assertEquals("0.0.0.0", o.rpcHost());
    assertEquals(0.3, o.spillLowerRate());
    assertEquals(0.8, o.spillUpperRate());
    assertNull(o.spillPath());
    assertEquals(0777, o.socketMode());
    assertEquals(-1, o.metricsPort());
    assertEquals("local", o.deployment());
    assertEquals(256L << 20, o.prefillAhead(), "a bounded window, not all of --size");
    assertEquals(256L << 20, o.storeConfig().prefillAhead());
    assertEquals(256L << 20, parse().prefillAhead());
    assertEquals(256L << 20, parse("--size=4Gi").prefillAhead());
    assertEquals(64L << 20, parse("--size=64Mi").prefillAhead(), "at most --size");
    assertNull(o.shmDir());
    assertNull(o.storeConfig().shmDir());
    assertEquals(StoreConfig.DEFAULT_IDLE_TRIM, o.storeConfig().idleTrim());
    assertTrue(o.warmup());
    assertFalse(parse("--nowarmup").warmup());
  }

  @Test
  void prefillAheadTakesASizeOrZero() throws Exception {
    assertEquals(0, parse("--size=1G", "--prefill_ahead=0").storeConfig().prefillAhead());
    assertEquals(256L << 20, parse("--size=1G", "--prefill_ahead=256Mi").prefillAhead());
    assertTrue(rejection("--prefill_ahead=lots").contains("'prefill_ahead'"));
  }

  @Test
  void shmDirNamesTheHugeTmpfsDirectory() throws Exception {
    DaemonOptions o = parse("--shm_dir=/dev/hugeshm");
    assertEquals(Path.of("/dev/hugeshm"), o.shmDir());
    assertEquals(Path.of("/dev/hugeshm"), o.storeConfig().shmDir());
  }

  @Test
  void acceptsEveryGflagsForm() throws Exception {
    DaemonOptions o =
        parse(
            "--socket",
            "/tmp/a.sock",
            "--size=2Gi",
            "--norpc",
            "--reserve_memory",
            "-rpc_socket_port=9700",
            "--spill_path",
            "/tmp/spill",
            "--hugepages=false",
            "--socket_mode=0700",
            "--compression=0");
    assertEquals("/tmp/a.sock", o.socket());
    assertEquals(2L << 30, o.memoryLimit());
    assertFalse(o.rpc());
    assertTrue(o.reserveMemory());
    assertEquals(9700, o.rpcPort());
    assertEquals(Path.of("/tmp/spill"), o.spillPath());
    assertFalse(o.hugepages());
    assertEquals(0700, o.socketMode());
  }

  @Test
  void pythonsLauncherLineParses() throws Exception {
    DaemonOptions o =
        parse(
            "--deployment",
            "local",
            "--size",
            "256M",
            "--socket",
            "/tmp/v.sock",
            "--rpc",
            "--rpc_socket_port",
            "9601",
            "--meta",
            "local");
    assertEquals(256L << 20, o.memoryLimit());
    assertTrue(o.rpc());
    assertEquals(9601, o.rpcPort());
  }

  @Test
  void rejectsUnknownAndMalformedFlagsByName() {
    assertTrue(rejection("--bogus").contains("'bogus'"));
    assertTrue(rejection("--rpc_socket_port=abc").contains("'rpc_socket_port'"));
    assertTrue(rejection("--rpc=maybe").contains("'rpc'"));
    assertTrue(rejection("--size").contains("'size'"));
    assertTrue(rejection("--size=12Q").contains("size"));
    assertTrue(rejection("--nosize").contains("'nosize'"));
    assertTrue(rejection("stray").contains("stray"));
    assertTrue(rejection("--meta=etcd").contains("not built yet"));
    assertTrue(rejection("--meta=redis").contains("not built yet"));
    assertTrue(rejection("--socket_mode=999").contains("socket_mode"));
    assertTrue(rejection("--spill_lower_rate=0.9").contains("spill_lower_rate"));
  }

  @Test
  void helpListsEveryFlag() {
    String help = DaemonOptions.help();
    for (FlagSpec f : DaemonOptions.FLAGS) {
      assertTrue(help.contains("--" + f.name()), f.name());
    }
  }
}
