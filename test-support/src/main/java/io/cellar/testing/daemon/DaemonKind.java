package io.cellar.testing.daemon;

/** Which vineyardd a {@link DaemonCommand} runs. */
public enum DaemonKind {
  /** Cellar's Java server ({@code io.cellar.server.daemon.Vineyardd}). */
  CELLAR,
  /** The reference C++ vineyardd (shipped in the {@code vineyard-bdist} wheel). */
  REFERENCE
}
