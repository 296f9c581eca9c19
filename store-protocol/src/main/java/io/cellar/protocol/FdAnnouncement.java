package io.cellar.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Which arena fds follow a reply, and how the reply announces them (reference §3.3). After a reply
 * carrying payloads, exactly the {@code store_fd}s of payloads with {@code data_size > 0} that the
 * client has not received on this connection yet are passed, once each, in payload order, one
 * {@code SCM_RIGHTS} message per fd. The reply names them in {@code fds} (an array) or, for {@code
 * create_buffer_reply}, in {@code fd} (one number, -1 for none); a client checks the announcement
 * against its own count as a set.
 *
 * <p>Both ends use {@link #due}: the server with the ledger of fds already sent on a connection,
 * the client with its table of arenas already mapped. Stateless and thread-safe.
 */
public final class FdAnnouncement {
  private FdAnnouncement() {}

  /**
   * The {@code store_fd}s due after a reply carrying these payloads.
   *
   * @param payloads the reply's payloads, in reply order
   * @param known whether the peer already has an arena's fd
   * @return the fds due, in the order they are passed
   */
  public static int[] due(Collection<Payload> payloads, IntPredicate known) {
    Set<Integer> due = new LinkedHashSet<>();
    for (Payload p : payloads) {
      if (p.dataSize() > 0 && p.storeFd() >= 0 && !known.test(p.storeFd())) {
        due.add(p.storeFd());
      }
    }
    return due.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Announces fds as the array {@code fds}.
   *
   * @param reply the reply object
   * @param fds the fds passed after it
   */
  public static void putArray(ObjectNode reply, int[] fds) {
    ArrayNode array = reply.putArray("fds");
    for (int fd : fds) {
      array.add(fd);
    }
  }

  /**
   * Announces at most one fd as the number {@code fd} ({@code create_buffer_reply}).
   *
   * @param reply the reply object
   * @param fds the fds passed after it (at most one)
   */
  public static void putSingle(ObjectNode reply, int[] fds) {
    if (fds.length > 1) {
      throw new IllegalArgumentException("one fd announced as 'fd', got " + fds.length);
    }
    reply.put("fd", fds.length == 0 ? -1 : fds[0]);
  }

  /**
   * Reads an announcement: the {@code fds} array or the single {@code fd} of a reply.
   *
   * @param reply the reply object
   * @return the announced fds (a single -1 means none), or null when the reply announces nothing
   */
  public static List<Integer> read(JsonNode reply) {
    JsonNode node = reply.has("fds") ? reply.get("fds") : reply.get("fd");
    if (node == null || node.isNull()) {
      return null;
    }
    List<Integer> fds = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> fds.add(n.asInt()));
    } else {
      fds.add(node.asInt());
    }
    return fds;
  }

  /**
   * Checks an announcement against the fds a client expects, as the reference client does (as sets:
   * a server may list {@code fds} sorted).
   *
   * @param due what {@link #due} computed
   * @param announced what {@link #read} found (negative entries mean none)
   * @throws IOException when they differ
   */
  public static void check(int[] due, List<Integer> announced) throws IOException {
    List<Integer> named = new ArrayList<>();
    for (int fd : announced) {
      if (fd >= 0) {
        named.add(fd);
      }
    }
    List<Integer> expected = new ArrayList<>();
    for (int fd : due) {
      expected.add(fd);
    }
    List<Integer> a = new ArrayList<>(expected);
    List<Integer> b = new ArrayList<>(named);
    Collections.sort(a);
    Collections.sort(b);
    if (!a.equals(b)) {
      throw new IOException(
          "the server announced fds " + named + " but this client expects " + expected);
    }
  }
}
