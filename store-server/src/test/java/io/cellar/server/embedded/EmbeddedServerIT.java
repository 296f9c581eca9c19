package io.cellar.server.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.Store;
import io.cellar.core.config.StoreConfig;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.server.ServerConfig;
import io.cellar.server.VineyardServer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedded mode: this JVM runs the server over a store it also uses directly, while another process
 * (an independent Python protocol client) talks to the same store over the IPC socket.
 */
class EmbeddedServerIT {
  @TempDir Path dir;

  @Test
  void hostAndSocketClientsSeeTheSameObjects() throws Exception {
    Assumptions.assumeTrue(hasPython(), "python3 is not installed");
    Path socket = dir.resolve("embedded.sock");
    try (Store store = Store.open(StoreConfig.ofLimit(64L << 20));
        VineyardServer server =
            VineyardServer.start(ServerConfig.ipcOnly(socket.toString()), store)) {
      assertEquals(socket, server.ipcSocket());
      // the host writes with no socket...
      long owner = store.openOwner();
      byte[] text = "written in-process".getBytes(StandardCharsets.UTF_8);
      Payload p = store.createBlob(owner, text.length);
      MemorySegment.copy(
          text, 0, store.blobSegment(p.objectId()), ValueLayout.JAVA_BYTE, 0, text.length);
      store.seal(owner, p.objectId());
      ObjectNode meta = JsonNodeFactory.instance.objectNode();
      meta.put("typename", "cellar::Bytes").put("instance_id", 0).put("nbytes", text.length);
      meta.put("transient", true);
      ObjectNode blob = meta.putObject("buffer_");
      blob.put("id", ObjectIds.toText(p.objectId())).put("typename", "vineyard::Blob");
      blob.put("length", text.length).put("nbytes", text.length).put("instance_id", 0);
      blob.put("transient", true);
      ObjectCreated created = store.createData(meta);
      store.persist(created.id());
      store.putName("from-host", created.id());
      // ...another process reads it over the socket
      assertEquals("written in-process", peer(socket, "read", "from-host"));
      // another process writes over the socket; the host reads it with no socket
      assertEquals("ok", peer(socket, "write", "from-peer", "written by python"));
      long id = store.getName("from-peer");
      String key = ObjectIds.toText(id);
      long blobId =
          ObjectIds.parseText(
              store.getData(new long[] {id}).get(key).get("buffer_").get("id").asText());
      store.getBlobs(owner, new long[] {blobId}, false);
      byte[] got = store.blobSegment(blobId).toArray(ValueLayout.JAVA_BYTE);
      assertEquals("written by python", new String(got, StandardCharsets.UTF_8));
      store.closeOwner(owner);
    }
  }

  private static boolean hasPython() {
    try {
      return new ProcessBuilder("python3", "-c", "import socket; socket.recv_fds").start().waitFor()
          == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private Path script() throws Exception {
    Path script = dir.resolve("vineyard_peer.py");
    try (var in = getClass().getResourceAsStream("/io/cellar/server/vineyard_peer.py")) {
      Files.write(script, in.readAllBytes());
    }
    return script;
  }

  private String peer(Path socket, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("python3", script().toString(), args[0], socket.toString()));
    cmd.addAll(List.of(args).subList(1, args.length));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    boolean done = p.waitFor(30, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(true, done, out);
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
