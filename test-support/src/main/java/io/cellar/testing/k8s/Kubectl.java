package io.cellar.testing.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cached kubectl bound to one kubeconfig (an identity on one cluster). Each call runs a fresh
 * kubectl process; its discovery cache and {@code HOME} are inside the control plane's work
 * directory, so nothing is written to the user's {@code ~/.kube}.
 *
 * <p>Immutable; safe from any thread (each call is its own process).
 */
public final class Kubectl {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long one kubectl call may take unless told otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);

  private final Path binary;
  private final Path kubeconfig;
  private final Path cacheDir;
  private final Path home;

  Kubectl(Path binary, Path kubeconfig, Path cacheDir, Path home) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
    this.cacheDir = cacheDir;
    this.home = home;
  }

  /** The kubeconfig file this kubectl uses. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /**
   * Runs {@code kubectl ARGS} and returns its stdout.
   *
   * @param args the arguments, as on the command line
   * @return stdout
   * @throws KubectlException if kubectl exits non-zero (the message carries its stderr)
   */
  public String run(String... args) {
    return runWithInput(null, args);
  }

  /**
   * Runs {@code kubectl ARGS} with {@code stdin} on its standard input and returns its stdout.
   *
   * @param stdin what kubectl reads (a manifest for {@code apply -f -}); null for nothing
   * @param args the arguments
   * @return stdout
   * @throws KubectlException if kubectl exits non-zero
   */
  public String runWithInput(String stdin, String... args) {
    return run(stdin, DEFAULT_TIMEOUT, List.of(args));
  }

  /**
   * Runs {@code kubectl ARGS} with a timeout of its own (for {@code rollout status --timeout=...}
   * and the like).
   *
   * @param stdin standard input, or null
   * @param timeout how long the process may run before it is killed
   * @param args the arguments
   * @return stdout
   * @throws KubectlException if kubectl exits non-zero
   * @throws IllegalStateException if it overruns {@code timeout}
   */
  public String run(String stdin, Duration timeout, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.add("--cache-dir=" + cacheDir);
    command.addAll(args);
    CommandRunner.Result result;
    try {
      result =
          CommandRunner.run(
              command,
              home,
              Map.of("HOME", home.toString(), "KUBECONFIG", kubeconfig.toString()),
              stdin,
              timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running kubectl " + args, e);
    }
    if (!result.succeeded()) {
      throw new KubectlException(args, result.exitCode(), result.stdout(), result.stderr());
    }
    return result.stdout();
  }

  /**
   * Applies a manifest: {@code kubectl apply -f -} with {@code manifest} as input.
   *
   * @param manifest YAML or JSON, one or more documents
   * @return kubectl's report ("deployment.apps/x created", ...)
   * @throws KubectlException if the API server refuses it
   */
  public String apply(String manifest) {
    return runWithInput(manifest, "apply", "-f", "-");
  }

  /**
   * Runs {@code kubectl ARGS -o json} and parses the output.
   *
   * @param args the arguments, without {@code -o}
   * @return the parsed JSON
   * @throws KubectlException if kubectl exits non-zero
   */
  public JsonNode json(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("-o");
    all.add("json");
    String out = run(null, DEFAULT_TIMEOUT, all);
    try {
      return JSON.readTree(out);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("kubectl " + all + " printed no JSON: " + out, e);
    }
  }
}
