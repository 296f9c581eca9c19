package io.cellar.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cellar.deploy.provisioner.DriverClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The driver's own liveness endpoint, what the livenessprobe sidecar serves: {@code GET /healthz}
 * calls the driver's Probe over its CSI socket and answers 200 {@code ok} when it answers ready,
 * else 500 with the reason; a further check (the kubelet registration) can fail it too. Thread-safe
 * (one HTTP thread; the gRPC client is thread-safe).
 */
final class CsiHealthEndpoint implements AutoCloseable {
  private final HttpServer server;

  private CsiHealthEndpoint(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts serving.
   *
   * @param port the TCP port on every address (0 picks one)
   * @param driver the driver's CSI services
   * @param problem what else is wrong, or null when nothing is
   * @return the running endpoint
   * @throws IOException when the port cannot be bound
   */
  static CsiHealthEndpoint start(int port, DriverClient driver, Supplier<String> problem)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 4);
    server.createContext(
        "/healthz",
        exchange -> {
          String failure;
          try {
            failure = driver.probe() ? problem.get() : "the driver answered Probe: not ready";
          } catch (RuntimeException e) {
            failure = "the driver does not answer Probe: " + e.getMessage();
          }
          answer(exchange, failure);
        });
    server.start();
    return new CsiHealthEndpoint(server);
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, String failure) throws IOException {
    byte[] body = (failure == null ? "ok" : failure).getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(failure == null ? 200 : 500, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
