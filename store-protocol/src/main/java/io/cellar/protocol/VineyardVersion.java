package io.cellar.protocol;

/**
 * The one Vineyard version this project speaks and reports: the server's {@code
 * register_reply.version} and {@code vineyardd --version}, and the version the Java client sends in
 * {@code register_request}. It is the version of the reference vineyardd and Python client the
 * project is tested against (vineyard 0.24.2, whose client warns when a server's minor version is
 * lower than its own, reference §2.1).
 *
 * <p>Constants only.
 */
public final class VineyardVersion {
  /** The version, {@code major.minor.patch}. */
  public static final String VALUE = "0.24.2";

  private VineyardVersion() {}
}
