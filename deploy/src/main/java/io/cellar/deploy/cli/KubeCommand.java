package io.cellar.deploy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * A leaf command that works against the API server: it reads the global flags from the root command
 * and opens a {@link KubeSession}. Not thread-safe.
 */
abstract class KubeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The global flags (held by the root command). */
  Globals globals() {
    Object root = spec.root().userObject();
    if (root instanceof GlobalsHolder holder) {
      return holder.globals();
    }
    return new Globals();
  }

  /** Opens the session; the caller closes it. */
  KubeSession open() {
    return KubeSession.open(globals());
  }

  @Override
  public final Integer call() {
    prepare();
    try (KubeSession session = open()) {
      run(session);
    }
    return 0;
  }

  /**
   * Checks the flags and builds what the command applies, before any connection: a bad flag is
   * reported as such even when no API server is reachable.
   *
   * @throws UserError naming the flag
   */
  void prepare() {}

  /**
   * Does the work.
   *
   * @param session the session
   */
  abstract void run(KubeSession session);
}
