package io.cellar.testing.k8s;

import java.nio.file.Path;

/**
 * Writes a kubeconfig file for one bearer-token identity on the harness's cluster. The file is
 * created readable by its owner only (it holds a token).
 *
 * <p>Stateless; safe from any thread.
 */
final class Kubeconfig {
  private Kubeconfig() {}

  /**
   * Writes the kubeconfig.
   *
   * @param file where to write it
   * @param server the API server's URL ({@code https://127.0.0.1:PORT})
   * @param caFile the certificate bundle that verifies the API server
   * @param user the user entry's name (a label only: the token decides who it is)
   * @param token the bearer token
   * @return {@code file}
   */
  static Path write(Path file, String server, Path caFile, String user, String token) {
    String text =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: cellar
          cluster:
            server: %s
            certificate-authority: %s
        users:
        - name: %s
          user:
            token: %s
        contexts:
        - name: %s@cellar
          context:
            cluster: cellar
            user: %s
            namespace: default
        current-context: %s@cellar
        """
            .formatted(server, caFile, user, token, user, user, user);
    Credentials.writePrivate(file, text);
    return file;
  }
}
