package io.cellar.server.metrics;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A tiny HTTP server (the JDK's) answering {@code GET /metrics} with the Prometheus text format.
 * Runs on its own single thread, never on an event loop.
 *
 * <p>Thread-safe: start and close once each.
 */
public final class PrometheusEndpoint implements AutoCloseable {
  private final HttpServer http;

  private PrometheusEndpoint(HttpServer http) {
    this.http = http;
  }

  /**
   * Starts serving.
   *
   * @param port the port, 0 for any free one
   * @param metrics what to expose
   * @return the running endpoint
   * @throws IOException when the port cannot be bound
   */
  public static PrometheusEndpoint start(int port, ServerMetrics metrics) throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(port), 16);
    http.createContext(
        "/metrics",
        exchange -> {
          byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
          exchange
              .getResponseHeaders()
              .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    http.start();
    return new PrometheusEndpoint(http);
  }

  /**
   * The bound port.
   *
   * @return the port
   */
  public int port() {
    return http.getAddress().getPort();
  }

  /** Stops serving. */
  @Override
  public void close() {
    http.stop(0);
  }
}
