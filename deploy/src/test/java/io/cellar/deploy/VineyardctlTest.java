package io.cellar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class VineyardctlTest {

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Vineyardctl.run(new PrintWriter(err, true), args);
  }

  private String firstLine() {
    return err.toString().lines().findFirst().orElse("");
  }

  @Test
  void unknownOptionExitsTwoNamingIt() {
    assertEquals(2, run("csi", "--endpoint", "unix:///tmp/x.sock", "--nodeid", "n1", "--bogus"));
    assertEquals("Unknown option: '--bogus'", firstLine());
  }

  @Test
  void unknownOptionIsNamedEvenWhenRequiredOnesAreMissing() {
    assertEquals(2, run("csi", "--frobnicate"));
    assertEquals("Unknown option: '--frobnicate'", firstLine());
  }

  @Test
  void malformedEndpointExitsTwoNamingTheFlag() {
    assertEquals(2, run("csi", "--endpoint", "tcp://127.0.0.1:9000", "--nodeid", "n1"));
    assertTrue(firstLine().contains("'--endpoint'"), firstLine());
    assertEquals(2, run("csi", "--endpoint", "unix://relative.sock", "--nodeid", "n1"));
    assertTrue(firstLine().contains("'--endpoint'"), firstLine());
  }

  @Test
  void missingRequiredOptionsExitTwo() {
    assertEquals(2, run("csi", "--nodeid", "n1"));
    assertTrue(firstLine().contains("--endpoint"), firstLine());
  }

  @Test
  void noSubcommandIsAUsageError() {
    assertEquals(2, run());
    assertTrue(firstLine().contains("subcommand"), firstLine());
  }
}
