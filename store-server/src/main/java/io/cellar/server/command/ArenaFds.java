package io.cellar.server.command;

import java.util.Arrays;

/**
 * The arena fds a reply passes after its JSON: the arena keys the reply announces ({@code
 * store_fd}, in {@code fd} or {@code fds}) and, at the same index, the open file descriptor behind
 * each key, which the transport sends in its own 1-byte {@code SCM_RIGHTS} message in this order.
 * Resolved by the command layer ({@link ConnectionSession#arenasToPass}), so the transport passes
 * what it is given and never asks the store.
 *
 * <p>Immutable (the arrays are not changed after construction). The file descriptors stay owned by
 * the store: they are open for the store's life and must not be closed by the sender.
 *
 * @param keys the announced arena keys, in sending order
 * @param fds the file descriptors behind {@code keys}, index for index
 */
public record ArenaFds(int[] keys, int[] fds) {
  /** Nothing to pass. */
  public static final ArenaFds NONE = new ArenaFds(new int[0], new int[0]);

  /**
   * Checks that every key has its fd.
   *
   * @param keys the announced arena keys
   * @param fds the file descriptors behind them
   */
  public ArenaFds {
    if (keys.length != fds.length) {
      throw new IllegalArgumentException(keys.length + " arena keys but " + fds.length + " fds");
    }
  }

  /**
   * Whether nothing is passed.
   *
   * @return true when there are no fds
   */
  public boolean isEmpty() {
    return fds.length == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ArenaFds other
        && Arrays.equals(keys, other.keys)
        && Arrays.equals(fds, other.fds);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(keys) + Arrays.hashCode(fds);
  }

  @Override
  public String toString() {
    return "ArenaFds[keys=" + Arrays.toString(keys) + ", fds=" + Arrays.toString(fds) + "]";
  }
}
