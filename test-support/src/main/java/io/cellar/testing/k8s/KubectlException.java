package io.cellar.testing.k8s;

import java.util.List;

/**
 * A kubectl command that exited with a non-zero code. The message carries the command and kubectl's
 * stderr (where the API server's refusal is: "Forbidden", "Invalid value", ...).
 *
 * <p>Immutable.
 */
public final class KubectlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The arguments given to kubectl (without the kubeconfig flags the harness adds). */
  private final transient List<String> args;

  private final int exitCode;
  private final String stdout;
  private final String stderr;

  KubectlException(List<String> args, int exitCode, String stdout, String stderr) {
    super("kubectl " + String.join(" ", args) + " exited with " + exitCode + ": " + stderr.strip());
    this.args = List.copyOf(args);
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** The arguments given to kubectl, without the kubeconfig flags the harness adds. */
  public List<String> args() {
    return args;
  }

  /** kubectl's exit code. */
  public int exitCode() {
    return exitCode;
  }

  /** What kubectl wrote to stdout before failing. */
  public String stdout() {
    return stdout;
  }

  /** kubectl's stderr: the error the API server returned, for instance. */
  public String stderr() {
    return stderr;
  }
}
