package io.cellar.core.memory;

/**
 * Whether the host can spare what one background fill step takes: the memory it commits, and a core
 * while it runs. {@link ArenaPrefiller} asks before every step and backs off while the gate
 * refuses; {@link HostHeadroom} is the host's answer, tests give their own.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface FillGate {
  /** A gate that always lets the step go. */
  FillGate OPEN = bytes -> null;

  /**
   * Checks one step.
   *
   * @param bytes how much the step would commit
   * @return null to go ahead, else why not (for the log), e.g. {@code "cgroup memory.high: ..."}
   */
  String refusal(long bytes);
}
