package io.cellar.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.ObjectIds;
import java.io.IOException;
import java.math.BigInteger;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays a client's first requests against the daemon's own socket once it listens, so that the
 * first real client does not pay for the JVM's first pass through the request path (class loading
 * and linking of the channel pipeline, the JSON codec, every command family, the fd passing
 * downcalls). Without it the first {@code register_request} a fresh daemon answers took about 0.3 s
 * here; afterwards about 1 ms.
 *
 * <p>The script: register, create a 64-byte blob (and receive its arena fd), seal it, create an
 * object over it, get its data and buffers, persist and name it, look the name up, list, drop the
 * name, delete the object, ask for the status, and exit; three times. Then it puts, reads and
 * deletes an object shaped like a 48-column data frame 20 times as the Python client does, and
 * reads one 300 more times ({@link #frameLoop}; about 3,000 requests, a second or two of one core),
 * so that the JIT has compiled the write and metadata paths before real clients come. It leaves
 * nothing behind; the request counters include its requests.
 *
 * <p>Runs on one daemon thread ({@code cellar-warmup}). The end is logged ("warm-up done in N ms",
 * or "warm-up stopped: why"), which test harnesses wait for before they count connections; a
 * failure changes nothing else.
 */
public final class SelfWarmup {
  private static final Logger LOG = LoggerFactory.getLogger(SelfWarmup.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROUNDS = 3;

  /** Members of the frame-shaped object of the loop: a data frame of 48 columns. */
  static final int FRAME_COLUMNS = 48;

  /** Put-read-delete passes over such a frame. */
  static final int WRITE_LOOPS = 20;

  /** Extra get_data + get_buffers passes over one frame. */
  static final int READ_LOOPS = 300;

  private SelfWarmup() {}

  /**
   * Starts the warm-up in the background.
   *
   * @param socket the daemon's IPC socket, listening already
   * @return the thread, started
   */
  public static Thread start(Path socket) {
    Thread t =
        Thread.ofPlatform()
            .daemon()
            .name("cellar-warmup")
            .start(
                () -> {
                  long started = System.nanoTime();
                  try {
                    for (int i = 0; i < ROUNDS; i++) {
                      run(socket, "__cellar_warmup_" + ProcessHandle.current().pid() + "_" + i);
                    }
                    frameLoop(socket, FRAME_COLUMNS, WRITE_LOOPS, READ_LOOPS);
                    LOG.info("warm-up done in {} ms", (System.nanoTime() - started) / 1_000_000);
                  } catch (IOException | RuntimeException e) {
                    LOG.info("warm-up stopped: {}", e.toString());
                  }
                });
    return t;
  }

  /**
   * Runs the script once on a fresh connection.
   *
   * @param socket the daemon's IPC socket
   * @param name a name no client uses
   * @throws IOException when the socket fails or a reply is an error
   */
  static void run(Path socket, String name) throws IOException {
    try (SocketChannel ch = connect(socket)) {

      JsonNode created = call(ch, request("create_buffer_request").put("size", 64));
      if (created.path("fd").asInt(-1) >= 0) {
        readFully(ch, ByteBuffer.allocate(1)); // the arena's fd rides on one byte; dropped here
      }
      JsonNode blobId = created.get("id");
      call(ch, request("seal_request").set("object_id", blobId));

      ObjectNode content = JSON.createObjectNode();
      content.put("typename", "cellar::Warmup");
      content.put("nbytes", 64);
      content.put("instance_id", 0);
      content.put("transient", true);
      blobMember(content, blobId);
      JsonNode data = call(ch, request("create_data_request").set("content", content));
      JsonNode objectId = data.get("id");

      ObjectNode get = request("get_data_request");
      get.putArray("id").add(objectId);
      get.put("sync_remote", true);
      get.put("wait", false);
      call(ch, get);
      ObjectNode buffers = request("get_buffers_request");
      buffers.set("0", blobId);
      buffers.put("num", 1);
      buffers.put("unsafe", false);
      JsonNode got = call(ch, buffers);
      for (int i = 0; i < got.path("fds").size(); i++) {
        readFully(ch, ByteBuffer.allocate(1));
      }
      call(ch, request("persist_request").set("id", objectId));
      call(ch, request("put_name_request").put("name", name).set("object_id", objectId));
      call(ch, request("get_name_request").put("name", name).put("wait", false));
      call(
          ch,
          request("list_name_request").put("pattern", name).put("regex", false).put("limit", 1));
      call(
          ch,
          request("list_data_request")
              .put("pattern", "cellar::Warmup")
              .put("regex", false)
              .put("limit", 1));
      call(ch, request("drop_name_request").put("name", name));
      ObjectNode delete = request("del_data_request");
      ArrayNode ids = delete.putArray("id");
      ids.add(objectId);
      delete.put("force", false).put("deep", true).put("fastpath", false);
      call(ch, delete);
      call(ch, request("instance_status_request"));
      send(ch, request("exit_request"));
    }
  }

  /**
   * Puts an object shaped like a data frame ({@code columns} tensor members, each over its own
   * blob) the way the Python client does ({@code create_buffer}, {@code seal} and {@code
   * create_data} per column, then the frame, {@code persist}, {@code put_name}), looks it up and
   * reads it ({@code get_name}, {@code get_data}, {@code get_buffers}) and deletes it, {@code
   * writes} times; then reads one such frame {@code reads} more times. Before the JIT has compiled
   * these paths each request costs a few times more (about 1 ms against 0.35 ms for the {@code
   * get_data} of a 46-column frame here).
   *
   * @param socket the daemon's IPC socket
   * @param columns members of the frame
   * @param writes put-read-delete passes
   * @param reads extra read passes over one frame
   * @throws IOException when the socket fails or a reply is an error
   */
  static void frameLoop(Path socket, int columns, int writes, int reads) throws IOException {
    try (SocketChannel ch = connect(socket)) {
      boolean fdSeen = false;
      String name = "__cellar_warmup_frame_" + ProcessHandle.current().pid();
      for (int pass = 0; pass <= writes; pass++) {
        ObjectNode frame = JSON.createObjectNode();
        frame.put("typename", "vineyard::DataFrame");
        frame.put("instance_id", 0);
        frame.put("transient", true);
        frame.put("__values_-size", columns);
        ObjectNode buffers = request("get_buffers_request");
        for (int i = 0; i < columns; i++) {
          JsonNode created = call(ch, request("create_buffer_request").put("size", 64));
          if (!fdSeen && created.path("fd").asInt(-1) >= 0) {
            readFully(ch, ByteBuffer.allocate(1));
            fdSeen = true;
          }
          JsonNode blobId = created.get("id");
          call(ch, request("seal_request").set("object_id", blobId));
          ObjectNode column = JSON.createObjectNode();
          column.put("typename", "vineyard::Tensor<int64>");
          column.put("instance_id", 0);
          column.put("transient", true);
          column.put("nbytes", 64);
          column.put("value_type_", "int64");
          column.put("shape_", "[8]");
          column.put("partition_index_", "[]");
          blobMember(column, blobId);
          JsonNode tensor = call(ch, request("create_data_request").set("content", column));
          ObjectNode ref = frame.putObject("__values_-value-" + i);
          ref.set(
              "id",
              JSON.getNodeFactory()
                  .textNode(
                      ObjectIds.toText(new BigInteger(tensor.get("id").asText()).longValue())));
          buffers.set(Integer.toString(i), blobId);
        }
        buffers.put("num", columns);
        buffers.put("unsafe", false);
        JsonNode objectId =
            call(ch, request("create_data_request").set("content", frame)).get("id");
        call(ch, request("persist_request").set("id", objectId));
        call(ch, request("put_name_request").put("name", name).set("object_id", objectId));
        call(ch, request("get_name_request").put("name", name).put("wait", false));
        ObjectNode get = request("get_data_request");
        get.putArray("id").add(objectId);
        get.put("sync_remote", true);
        get.put("wait", false);
        int passes = pass == writes ? reads : 1;
        for (int i = 0; i < passes; i++) {
          call(ch, get);
          call(ch, buffers);
        }
        call(ch, request("drop_name_request").put("name", name));
        ObjectNode delete = request("del_data_request");
        delete.putArray("id").add(objectId);
        delete.put("force", false).put("deep", true).put("fastpath", false);
        call(ch, delete);
      }
      send(ch, request("exit_request"));
    }
  }

  /** Adds the 64-byte blob {@code blobId} (a reply's unsigned id) as the member {@code buffer_}. */
  private static void blobMember(ObjectNode parent, JsonNode blobId) {
    ObjectNode member = parent.putObject("buffer_");
    member.put("id", ObjectIds.toText(new BigInteger(blobId.asText()).longValue()));
    member.put("typename", "vineyard::Blob");
    member.put("length", 64);
    member.put("nbytes", 64);
    member.put("instance_id", 0);
    member.put("transient", true);
  }

  /** Opens a connection to the daemon and registers on it as a client does. */
  private static SocketChannel connect(Path socket) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ObjectNode register = request("register_request");
      register.put("version", VineyardServer.protocolVersion());
      register.put("store_type", "Normal");
      register.put("session_id", 0);
      register.put("username", "");
      register.put("password", "");
      call(ch, register);
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static ObjectNode request(String type) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", type);
    return n;
  }

  private static JsonNode call(SocketChannel ch, ObjectNode request) throws IOException {
    send(ch, request);
    ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, header);
    long length = header.flip().getLong();
    if (length < 0 || length > (1 << 24)) {
      throw new IOException("unexpected reply length " + length);
    }
    ByteBuffer body = ByteBuffer.allocate((int) length);
    readFully(ch, body);
    JsonNode reply = JSON.readTree(body.array());
    if (reply.path("code").asInt(0) != 0) {
      throw new IOException(request.path("type").asText() + " failed: " + reply);
    }
    return reply;
  }

  private static void send(SocketChannel ch, ObjectNode request) throws IOException {
    byte[] body = JSON.writeValueAsString(request).getBytes(StandardCharsets.UTF_8);
    ByteBuffer frame = ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    frame.putLong(body.length).put(body).flip();
    while (frame.hasRemaining()) {
      ch.write(frame);
    }
  }

  private static void readFully(SocketChannel ch, ByteBuffer into) throws IOException {
    while (into.hasRemaining()) {
      if (ch.read(into) < 0) {
        throw new IOException("the daemon closed the connection");
      }
    }
  }
}
