package io.cellar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cellar.testing.daemon.DaemonCommand;
import io.cellar.testing.daemon.VineyarddProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root README's code blocks, run as a new user would run them, so they cannot rot: every {@code
 * java} block is compiled as printed against the project's jars and its {@code main} run in a fresh
 * JVM; every {@code python} block is run as printed by the real {@code vineyard} client against
 * {@code bin/vineyardd} (the README's first command; the build half of it is what the reactor has
 * just done), with {@code VINEYARD_IPC_SOCKET} pointing at its socket as the README says to export.
 */
@Timeout(600)
class ReadmeExamplesIT {
  private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern PUBLIC_CLASS = Pattern.compile("public class (\\w+)");

  private static List<String> blocks(String language) throws IOException {
    Path readme = Path.of(System.getProperty("cellar.repo.root", "..")).resolve("README.md");
    String text = Files.readString(readme);
    List<String> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(language)) {
        out.add(m.group(2));
      }
    }
    return out;
  }

  @Test
  void theJavaExampleCompilesAndRunsAsPrinted(@TempDir Path dir) throws Exception {
    List<String> javaBlocks = blocks("java");
    assertTrue(!javaBlocks.isEmpty(), "the README shows the embedded engine in Java");
    for (String source : javaBlocks) {
      Matcher name = PUBLIC_CLASS.matcher(source);
      assertTrue(name.find(), "a README java block is a whole program:\n" + source);
      Path file = dir.resolve(name.group(1) + ".java");
      Files.writeString(file, source);
      String classPath = System.getProperty("java.class.path");
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      java.io.ByteArrayOutputStream diagnostics = new java.io.ByteArrayOutputStream();
      int compiled =
          javac.run(
              null,
              diagnostics,
              diagnostics,
              "-Xlint:all,-path", // the jars' manifests name lib/ entries that need not exist
              "-Werror",
              "-cp",
              classPath,
              "-d",
              dir.toString(),
              file.toString());
      assertEquals(
          0,
          compiled,
          () ->
              "the README's "
                  + file.getFileName()
                  + " compiles as printed:\n"
                  + diagnostics.toString(StandardCharsets.UTF_8));
      Path javaBinary = Path.of(System.getProperty("java.home"), "bin", "java");
      Process run =
          new ProcessBuilder(
                  javaBinary.toString(),
                  "--enable-native-access=ALL-UNNAMED",
                  "-cp",
                  dir + java.io.File.pathSeparator + classPath,
                  name.group(1))
              .redirectErrorStream(true)
              .start();
      String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(run.waitFor(120, TimeUnit.SECONDS), output);
      assertEquals(0, run.exitValue(), output);
      assertTrue(
          output.matches("(?s).*o[0-9a-f]{16}: hello, shared memory\\s*"),
          "it prints the object and the bytes read back through the view:\n" + output);
    }
  }

  @Test
  void thePythonExampleRunsAgainstTheLauncher() throws Exception {
    List<String> pythonBlocks = blocks("python");
    assertTrue(!pythonBlocks.isEmpty(), "the README shows the Python client");
    DaemonCommand command =
        DaemonCommand.findLauncher()
            .map(DaemonCommand::cellarLauncher)
            .orElseThrow(
                () -> new AssertionError("bin/vineyardd is not runnable: the server is not built"));
    PythonEnvironment python = PythonEnvironment.get();
    try (VineyarddProcess server = VineyarddProcess.builder(command).size("256M").start()) {
      for (String source : pythonBlocks) {
        Path script = Files.createTempFile("readme", ".py");
        Files.writeString(script, source);
        ProcessBuilder builder =
            new ProcessBuilder(python.python().toString(), script.toString())
                .redirectErrorStream(true);
        builder.environment().putAll(Map.of("VINEYARD_IPC_SOCKET", server.socket().toString()));
        Process run = builder.start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, run.exitValue(), output + "\n--- vineyardd log ---\n" + server.log());
        assertTrue(output.contains("[0. 1. 2. 3. 4. 5. 6. 7. 8. 9.]"), output);
        Files.delete(script);
      }
      assertEquals(0, server.stop(), server.log());
    }
  }
}
