package io.cellar.deploy.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The manager's probe endpoints: {@code /healthz} answers 200 while the process serves, {@code
 * /readyz} 200 once the operator's informers are synced and healthy, else 503. Thread-safe.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts the endpoints.
   *
   * @param address where to listen, e.g. {@code :8081} or {@code 127.0.0.1:8081}; port 0 picks one
   * @param ready whether the operator is ready
   * @return the running server
   * @throws IOException if the address cannot be bound
   */
  public static HealthServer start(String address, BooleanSupplier ready) throws IOException {
    int colon = address.lastIndexOf(':');
    String host = colon <= 0 ? "0.0.0.0" : address.substring(0, colon);
    int port = Integer.parseInt(address.substring(colon + 1));
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 8);
    server.createContext("/healthz", ex -> answer(ex, true));
    server.createContext("/readyz", ex -> answer(ex, ready.getAsBoolean()));
    server.start();
    return new HealthServer(server);
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange ex, boolean ok) throws IOException {
    byte[] body = (ok ? "ok" : "not ready").getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(ok ? 200 : 503, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
