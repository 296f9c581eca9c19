package io.cellar.testing.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Asks a kube-apiserver whether it is ready ({@code GET /readyz} answering {@code ok}), trusting
 * only the certificates in the API server's own self-signed bundle, so the check also proves the
 * kubeconfig's {@code certificate-authority} is right.
 *
 * <p>Thread safety: one probe per waiting thread.
 */
final class ApiServerProbe {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private final String url;
  private final Path caFile;
  private final String token;
  private HttpClient client;

  ApiServerProbe(String url, Path caFile, String token) {
    this.url = url;
    this.caFile = caFile;
    this.token = token;
  }

  /**
   * One attempt: empty until the certificate exists and {@code /readyz} says {@code ok}.
   *
   * @return {@code "ok"} once ready
   * @throws IOException when the server does not answer yet (or answers not ready)
   */
  Optional<String> readyz() throws IOException, InterruptedException, GeneralSecurityException {
    if (client == null) {
      if (!Files.isRegularFile(caFile) || Files.size(caFile) == 0) {
        return Optional.empty();
      }
      client =
          HttpClient.newBuilder()
              .sslContext(trusting(caFile))
              .connectTimeout(REQUEST_TIMEOUT)
              .build();
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + "/readyz"))
            .timeout(REQUEST_TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .GET()
            .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 200 && response.body().strip().equals("ok")) {
      return Optional.of("ok");
    }
    throw new IOException("/readyz answered " + response.statusCode() + ": " + response.body());
  }

  private static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int i = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("apiserver-" + i++, certificate);
      }
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
