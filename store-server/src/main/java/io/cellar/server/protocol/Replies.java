package io.cellar.server.protocol;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;

/**
 * Builds reply objects: success replies carry an exact {@code type}; error replies are {@code
 * {"code": N, "message": "..."}} with no {@code type} (reference §1.3).
 *
 * <p>Stateless and thread-safe.
 */
public final class Replies {
  private Replies() {}

  /**
   * A success reply with only its type.
   *
   * @param type the reply type, e.g. {@code seal_reply}
   * @return a new object the caller may add fields to
   */
  public static ObjectNode ok(String type) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("type", type);
    return n;
  }

  /**
   * An error reply.
   *
   * @param code the status, not OK
   * @param message the human-readable message
   * @return a new object
   */
  public static ObjectNode error(StatusCode code, String message) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("code", code.code());
    n.put("message", message == null ? code.name() : message);
    return n;
  }

  /**
   * An error reply for a failure.
   *
   * @param e the failure
   * @return a new object
   */
  public static ObjectNode error(CellarException e) {
    return error(e.status(), e.getMessage());
  }
}
