package io.cellar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void anEndpointThatCannotBeCreatedIsOneClearLine(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    String endpoint = "unix://" + file.resolve("csi/csi.sock");
    assertEquals(1, run("csi", "--endpoint", endpoint, "--nodeid", "n1"));
    assertEquals(
        "vineyardctl csi: cannot serve on "
            + endpoint
            + ": "
            + file.resolve("csi")
            + ": Not a directory",
        firstLine());
    assertEquals(1, err.toString().lines().count(), err::toString);
    err.getBuffer().setLength(0);
    // /proc refuses new entries even to root
    assertEquals(1, run("csi", "--endpoint", "unix:///proc/cellar-csi/csi.sock", "--nodeid", "n1"));
    assertTrue(
        firstLine()
            .startsWith(
                "vineyardctl csi: cannot serve on unix:///proc/cellar-csi/csi.sock: /proc/cellar-csi"),
        firstLine());
    assertFalse(err.toString().contains("Exception"), err::toString);
  }

  @Test
  void noSubcommandIsAUsageError() {
    assertEquals(2, run());
    assertTrue(firstLine().contains("subcommand"), firstLine());
  }
}
