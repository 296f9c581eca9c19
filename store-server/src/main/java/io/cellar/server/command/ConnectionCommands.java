package io.cellar.server.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import io.cellar.protocol.UnsignedJson;
import io.cellar.server.auth.HtpasswdFile;
import io.cellar.server.protocol.Replies;
import io.cellar.server.protocol.Request;
import java.io.IOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection commands (reference §2.1): {@code register_request}, {@code exit_request}, and the
 * session commands, which answer NotImplemented until sessions are built. With an htpasswd database
 * ({@code --htpasswd}) every registration, IPC and RPC as in the reference ({@code
 * VineyardServer::Verify}), must carry a {@code username} and {@code password} the database
 * accepts; otherwise the reply is ConnectionError (34) and the connection stays unregistered. The
 * check runs on the worker pool (bcrypt is slow on purpose).
 *
 * <p>Thread-safe: reads only immutable state.
 */
public final class ConnectionCommands {
  /** The store type of a root server: Default (1). */
  static final int STORE_TYPE_DEFAULT = 1;

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionCommands.class);

  private final Supplier<ServerIdentity> identity;
  private final HtpasswdFile htpasswd;

  /**
   * Handlers answering with this server's identity, with no authentication.
   *
   * @param identity what {@code register_reply} reports, read at each registration
   */
  public ConnectionCommands(Supplier<ServerIdentity> identity) {
    this(identity, null);
  }

  /**
   * Handlers answering with this server's identity, checking clients against a database.
   *
   * @param identity what {@code register_reply} reports, read at each registration
   * @param htpasswd the database, or null for no authentication
   */
  public ConnectionCommands(Supplier<ServerIdentity> identity, HtpasswdFile htpasswd) {
    this.identity = identity;
    this.htpasswd = htpasswd;
  }

  /**
   * Adds this family's commands.
   *
   * @param table the table to fill
   */
  public void registerInto(CommandTable table) {
    table
        .add(
            "register_request",
            this::register,
            htpasswd == null ? Placement.LOOP : Placement.WORKER)
        .add("exit_request", (r, c) -> Reply.closeWithoutReply())
        .add(
            "new_session_request",
            (r, c) -> {
              throw new CellarException(
                  StatusCode.NOT_IMPLEMENTED,
                  "Sessions are not supported by this server yet: connect to the root socket");
            })
        .add(
            "delete_session_request",
            (r, c) -> {
              throw new CellarException(
                  StatusCode.NOT_IMPLEMENTED,
                  "Sessions are not supported by this server yet: the root session cannot be"
                      + " deleted");
            });
  }

  private Reply register(Request r, Connection c) {
    r.string("version", "0.0.0");
    long sessionId = r.integer("session_id", 0);
    String username = r.string("username", "");
    String password = r.string("password", "");
    authenticate(username, password);
    boolean storeMatch = storeTypeIsDefault(r.json().get("store_type"));
    if (c.isRpc() && sessionId != 0) {
      throw new CellarException(
          StatusCode.INVALID, "Session " + sessionId + " does not exist on this server");
    }
    c.markRegistered();
    ServerIdentity identity = this.identity.get();
    ObjectNode reply = Replies.ok("register_reply");
    UnsignedJson.put(reply, "instance_id", identity.instanceId());
    reply.put("ipc_socket", identity.ipcSocket());
    reply.put("rpc_endpoint", identity.rpcEndpoint());
    reply.put("session_id", 0);
    reply.put("store_match", storeMatch);
    reply.put("support_rpc_compression", identity.supportRpcCompression());
    reply.put("version", identity.version());
    return Reply.of(reply);
  }

  private void authenticate(String username, String password) {
    if (htpasswd == null) {
      return;
    }
    boolean ok;
    try {
      ok = htpasswd.verify(username, password);
    } catch (IOException e) {
      throw new CellarException(StatusCode.CONNECTION_ERROR, e.getMessage());
    }
    if (!ok) {
      LOG.warn("refused a registration as '{}': wrong username or password", username);
      throw new CellarException(StatusCode.CONNECTION_ERROR, "Incorrect username and password");
    }
  }

  /**
   * Reads {@code store_type}: an integer (1 Default, 2 Plasma), or a legacy string where only
   * "Plasma" means Plasma. Absent means Default.
   */
  private static boolean storeTypeIsDefault(JsonNode storeType) {
    if (storeType == null || storeType.isNull()) {
      return true;
    }
    if (storeType.isIntegralNumber()) {
      return storeType.asLong() == STORE_TYPE_DEFAULT;
    }
    if (storeType.isTextual()) {
      return !"Plasma".equals(storeType.textValue());
    }
    throw CellarException.invalid(
        "Field 'store_type' of register_request must be an integer, got "
            + storeType.getNodeType());
  }
}
