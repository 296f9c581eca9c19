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
    assertTrue(rejection("--meta=bogus").contains("'meta'"));
    assertTrue(rejection("--meta=etcd --rpc_socket_port=0".split(" ")).contains("rpc_socket_port"));
    assertTrue(rejection("--meta_timeout=0").contains("'meta_timeout'"));
    assertTrue(rejection("--meta=redis").contains("not built yet"));
    assertTrue(rejection("--socket_mode=999").contains("socket_mode"));
    assertTrue(rejection("--spill_lower_rate=0.9").contains("spill_lower_rate"));
  }

  @Test
  void aBoolFlagTakesASeparateBooleanWordAsTheOperatorWritesIt() throws Exception {
    // the vineyard operator's command line: --sync_crds true
    DaemonOptions o = parse("--sync_crds", "true", "--size", "64M");
    assertEquals(64L << 20, o.memoryLimit());
    assertFalse(parse("--rpc", "false").rpc());
    assertTrue(parse("--rpc", "1").rpc());
    assertFalse(parse("-rpc=false").rpc());
    assertFalse(parse("-norpc").rpc());
    assertTrue(parse("-reserve_memory").reserveMemory());
    assertEquals(9601, parse("-rpc_socket_port", "9601").rpcPort());
    // a bool flag followed by a flag leaves it alone
    DaemonOptions p = parse("--rpc", "--rpc_socket_port", "9602");
    assertTrue(p.rpc());
    assertEquals(9602, p.rpcPort());
    // a word that is not a boolean is still an error, not silently ignored
    assertTrue(rejection("--sync_crds", "maybe").contains("maybe"));
  }

  @Test
  void glogFlagsMapOntoTheLogLevelAndFile() throws Exception {
    assertEquals(LogOptions.DEFAULT, parse().logging());
    assertEquals("info", parse().logging().level());
    assertEquals("debug", parse("--v=1").logging().level());
    assertEquals("trace", parse("--v", "2").logging().level());
    assertEquals("warn", parse("--minloglevel=1", "--v=2").logging().level());
    assertEquals("error", parse("--minloglevel=2").logging().level());
    LogOptions files = parse("--log_dir=/tmp/logs").logging();
    assertEquals(Path.of("/tmp/logs"), files.logDir());
    assertTrue(files.writesFile());
    assertFalse(parse("--log_dir=/tmp/logs", "--logtostderr").logging().writesFile());
    assertFalse(parse("--logtostderr").logging().writesFile());
    parse("--alsologtostderr", "--stderrthreshold=0", "--vmodule=a=1");
    assertTrue(rejection("--minloglevel=7").contains("minloglevel"));
  }

  @Test
  void prometheusAndItsAliasMetricsTurnOnTheMetricLog() throws Exception {
    assertFalse(parse().logMetrics());
    assertTrue(parse("--prometheus").logMetrics());
    assertTrue(parse("--metrics").logMetrics());
    assertTrue(parse("--metrics").serverConfig().logMetrics());
  }

  @Test
  void sizesAreReadAsTheReferenceReadsThem() throws Exception {
    assertEquals(3L << 29, parse("--size=1.5G").memoryLimit());
    assertEquals(3L << 29, parse("--size=1.5Gi").memoryLimit());
    assertEquals(1_000_000_000L, parse("--size=1e9").memoryLimit());
    assertEquals(1L << 50, parse("--size=1P").memoryLimit());
    assertEquals(MemorySizeParser.systemDefault(), parse("--size=0").memoryLimit());
    String negative = rejection("--size=-1");
    assertTrue(negative.contains("'-1'") && negative.contains("negative"), negative);
  }

  @Test
  void versionIsTheOneVersion() {
    assertTrue(DaemonOptions.wantsVersion(new String[] {"--version"}));
    assertTrue(DaemonOptions.wantsVersion(new String[] {"-version"}));
    assertFalse(DaemonOptions.wantsVersion(new String[] {"--size=1G"}));
    assertEquals(
        "vineyardd version " + io.cellar.protocol.VineyardVersion.VALUE,
        DaemonOptions.versionLine());
  }

  @Test
  void helpListsEveryFlag() {
    String help = DaemonOptions.help();
    for (FlagSpec f : DaemonOptions.FLAGS) {
      assertTrue(help.contains("--" + f.name()), f.name());
    }
  }
}
