package io.cellar.csi;

import io.cellar.client.IpcClient;
import io.cellar.client.transport.UnixDomainSocket;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ObjectReaper} that talks to the volume's vineyard cluster over its IPC socket, {@code
 * <socket-root>/<namespace>/<name>/vineyard.sock}, with store-client's {@link IpcClient}. It lists
 * the names that start with the volume's object prefix ({@code list_name} with a glob whose special
 * characters are escaped, then checked again here with {@link String#startsWith}), deletes each
 * named object ({@code force=false, deep=true}: its members go too unless something else still
 * holds them) and drops the name. The controller therefore has to run on a node whose socket root
 * holds the cluster's socket.
 *
 * <p>A missing socket or an unreachable server is UNAVAILABLE, so the external provisioner retries
 * and the volume is never reported deleted while its objects stay; an error answered by the server
 * is INTERNAL with its message. A server that accepts but does not answer within the timeout has
 * its connection shut down, and the call is UNAVAILABLE too. Deleting again, or when nothing is
 * left, succeeds. Thread-safe: each call opens and closes its own connection.
 */
public final class IpcObjectReaper implements ObjectReaper {

  /** How many names one {@code list_name} call returns at most. */
  static final int PAGE = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(IpcObjectReaper.class);

  /** How long one DeleteVolume may talk to vineyardd before it gives up with UNAVAILABLE. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("csi-reaper-watchdog").daemon(true).factory());

  private final Path socketRoot;
  private final Duration timeout;

  /**
   * Creates the reaper with {@link #DEFAULT_TIMEOUT}.
   *
   * @param socketRoot where vineyardd instances put {@code <ns>/<name>/vineyard.sock}
   */
  public IpcObjectReaper(Path socketRoot) {
    this(socketRoot, DEFAULT_TIMEOUT);
  }

  /**
   * Creates the reaper.
   *
   * @param socketRoot where vineyardd instances put {@code <ns>/<name>/vineyard.sock}
   * @param timeout how long one call may talk to vineyardd: a server that accepts but does not
   *     answer has its connection shut down then, and the call is UNAVAILABLE (the driver has few
   *     call threads, and a hung DeleteVolume must not hold one forever)
   */
  public IpcObjectReaper(Path socketRoot, Duration timeout) {
    this.socketRoot = socketRoot.toAbsolutePath().normalize();
    this.timeout = timeout;
  }

  @Override
  public void deleteObjects(VolumeId volume) {
    String prefix =
        volume
            .objectPrefix()
            .orElseThrow(
                () -> new IllegalArgumentException("volume " + volume + " keeps its objects"));
    Path socket = socketOf(volume);
    if (!Files.exists(socket)) {
      throw unavailable(volume, "no " + SocketRoot.SOCKET_NAME + " at " + socket, null);
    }
    AtomicBoolean timedOut = new AtomicBoolean();
    int deleted;
    try {
      UnixDomainSocket connection = UnixDomainSocket.connect(socket);
      ScheduledFuture<?> watchdog =
          WATCHDOG.schedule(
              () -> {
                timedOut.set(true);
                connection.shutdown(); // the blocked request fails, the client closes
              },
              timeout.toNanos(),
              TimeUnit.NANOSECONDS);
      try (IpcClient client = IpcClient.over(connection)) {
        deleted = deleteUnder(client, prefix);
      } finally {
        watchdog.cancel(false);
      }
    } catch (IOException e) {
      String reason =
          timedOut.get()
              ? "vineyardd at " + socket + " did not answer within " + timeout
              : "cannot reach vineyardd at " + socket + ": " + e.getMessage();
      throw unavailable(volume, reason, e);
    } catch (CellarException e) {
      throw Status.INTERNAL
          .withDescription(
              "vineyardd at "
                  + socket
                  + " refused to delete the objects of volume "
                  + volume
                  + ": "
                  + e.getMessage())
          .withCause(e)
          .asRuntimeException();
    }
    LOG.info("volume {}: deleted {} objects named under {}", volume, deleted, prefix);
  }

  /**
   * Deletes every object named under {@code prefix} and drops the names.
   *
   * @return how many names were dropped
   */
  static int deleteUnder(IpcClient client, String prefix) throws IOException {
    String glob = escapeGlob(prefix) + "*";
    Set<String> done = new HashSet<>();
    while (true) {
      Map<String, Long> page = client.listNames(glob, false, PAGE);
      boolean progress = false;
      for (Map.Entry<String, Long> entry : page.entrySet()) {
        String name = entry.getKey();
        if (!name.startsWith(prefix)) {
          continue; // never trust the pattern alone with a deletion
        }
        if (!done.add(name)) {
          throw new CellarException(
              StatusCode.INVALID, "name " + name + " is still listed after it was dropped");
        }
        progress = true;
        try {
          client.delete(List.of(entry.getValue()), false, true);
        } catch (CellarException e) {
          if (e.status() != StatusCode.OBJECT_NOT_EXISTS) {
            throw e;
          }
          // a name left pointing at an object already gone: dropping the name suffices
        }
        client.dropName(name);
      }
      if (!progress) {
        return done.size();
      }
    }
  }

  /**
   * Escapes an {@code fnmatch} glob's special characters ({@code * ? [ ] \}) with a backslash, so
   * the glob matches the text literally on Cellar's server and on the reference vineyardd.
   *
   * @param text any text
   * @return a glob matching exactly {@code text}
   */
  static String escapeGlob(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  private Path socketOf(VolumeId volume) {
    // namespace and name are validated Kubernetes names: single segments, no "..", no "/"
    return socketRoot
        .resolve(volume.namespace())
        .resolve(volume.name())
        .resolve(SocketRoot.SOCKET_NAME);
  }

  private static StatusRuntimeException unavailable(
      VolumeId volume, String reason, Throwable cause) {
    return Status.UNAVAILABLE
        .withDescription(
            "cannot delete the objects of volume "
                + volume
                + " (vineyard cluster "
                + volume.namespace()
                + "/"
                + volume.name()
                + "): "
                + reason
                + "; the volume is kept, retry later")
        .withCause(cause)
        .asRuntimeException();
  }
}
