package io.cellar.server.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.Store;
import io.cellar.core.meta.backend.InstanceRecord;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.ObjectCreated;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.Payload;
import io.cellar.protocol.StatusCode;
import io.cellar.protocol.UnsignedJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a local copy of an object another instance owns ({@code migrate_object}), as the
 * reference's {@code VineyardServer::MigrateObject} and {@code RemoteClient::MigrateObject} do: the
 * object's blobs are pulled from the owner over RPC ({@link OwnerConnection}, the owner's {@code
 * rpc_endpoint} from the metadata backend's instance list) into new local blobs, its metadata is
 * recreated with those blobs, this instance's id and the same signature, created and persisted. An
 * object already local, or already migrated here and still present, is answered without a transfer;
 * concurrent migrations of one object share one transfer.
 *
 * <p>Thread-safe. {@link #migrate} blocks on the network: call it on a worker thread, never an
 * event loop.
 */
public final class ObjectMigration {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectMigration.class);

  private final Store store;
  private final Map<Long, CompletableFuture<Long>> migrated = new ConcurrentHashMap<>();

  /**
   * Migrations into a store.
   *
   * @param store this instance's store
   */
  public ObjectMigration(Store store) {
    this.store = store;
  }

  /**
   * The local object standing for {@code id}: {@code id} itself when it lives here, else a copy
   * pulled from its owner (made now, or by an earlier migration and still present). The copy is
   * persisted once the returned future completes.
   *
   * @param id the object
   * @return the local object's id, completed once it is persisted
   * @throws CellarException ObjectNotExists for an unknown object, Invalid for a blob, a global
   *     object, an object spread over instances or an owner with no RPC endpoint, IOError when the
   *     owner cannot be reached
   */
  public CompletableFuture<Long> migrate(long id) {
    if (ObjectIds.isBlob(id)) {
      throw CellarException.invalid("blobs cannot be directly migrated");
    }
    ObjectNode tree = treeOf(id);
    if (tree.path("global").asBoolean(false)) {
      throw CellarException.invalid("global objects cannot be directly migrated");
    }
    long owner = UnsignedJson.field(tree, "instance_id");
    if (owner == store.instanceId()) {
      return CompletableFuture.completedFuture(id);
    }
    if (owner == ObjectIds.UNSPECIFIED_INSTANCE) {
      throw CellarException.invalid(
          "the location of object " + ObjectIds.toText(id) + " cannot be resolved from metadata");
    }
    while (true) {
      CompletableFuture<Long> mine = new CompletableFuture<>();
      CompletableFuture<Long> earlier = migrated.putIfAbsent(id, mine);
      if (earlier == null) {
        try {
          pullAndRecreate(id, tree, owner)
              .whenComplete(
                  (target, failure) -> {
                    if (failure != null) {
                      migrated.remove(id, mine);
                      mine.completeExceptionally(failure);
                    } else {
                      mine.complete(target);
                    }
                  });
        } catch (RuntimeException e) {
          migrated.remove(id, mine);
          mine.completeExceptionally(e);
        }
        return mine;
      }
      Long done = earlier.getNow(null);
      if (done == null || store.exists(done)) {
        return earlier; // in flight, or a copy still here
      }
      migrated.remove(id, earlier); // the copy was deleted since: migrate again
    }
  }

  private ObjectNode treeOf(long id) {
    JsonNode tree = store.getData(new long[] {id}).get(ObjectIds.toText(id));
    if (!(tree instanceof ObjectNode object)) {
      throw CellarException.notExists("Object " + ObjectIds.toText(id) + " does not exist");
    }
    return object;
  }

  private CompletableFuture<Long> pullAndRecreate(long id, ObjectNode tree, long owner) {
    String endpoint = endpointOf(owner);
    Set<Long> blobIds = new LinkedHashSet<>();
    collectBlobs(tree, blobIds);
    long holder = store.openOwner();
    Map<Long, Long> local = new HashMap<>();
    List<Long> created = new ArrayList<>();
    try {
      if (!blobIds.isEmpty()) {
        try (OwnerConnection peer = OwnerConnection.open(endpoint)) {
          List<Payload> payloads =
              peer.pull(
                  blobIds,
                  p -> {
                    Payload fresh = store.createBlob(holder, p.dataSize());
                    created.add(fresh.objectId());
                    local.put(p.objectId(), fresh.objectId());
                    return store.blobSegment(fresh.objectId());
                  });
          for (Payload p : payloads) {
            if (p.dataSize() == 0) {
              local.put(p.objectId(), ObjectIds.EMPTY_BLOB);
            }
          }
        }
        for (long blob : created) {
          store.seal(holder, blob);
        }
      }
      for (long blob : blobIds) {
        if (!local.containsKey(blob)) {
          throw CellarException.invalid(
              "the owner i" + owner + " did not send blob " + ObjectIds.toText(blob));
        }
      }
      ObjectCreated copy = store.createData(recreate(tree, local));
      if (copy.signature() != UnsignedJson.field(tree, "signature")) {
        throw new CellarException(
            StatusCode.ASSERTION_FAILED, "Signature after migration doesn't match");
      }
      LOG.debug(
          "migrated {} from i{} ({} blobs) as {}",
          ObjectIds.toText(id),
          owner,
          blobIds.size(),
          ObjectIds.toText(copy.id()));
      return store.persist(copy.id()).thenApply(v -> copy.id());
    } catch (IOException e) {
      throw new CellarException(
          StatusCode.IO_ERROR,
          "cannot pull the blobs of "
              + ObjectIds.toText(id)
              + " from instance i"
              + owner
              + " at "
              + endpoint
              + ": "
              + e.getMessage());
    } finally {
      // the metadata now holds the blobs; an unsealed leftover of a failed pull is reclaimed
      store.closeOwner(holder);
    }
  }

  private String endpointOf(long owner) {
    for (InstanceRecord r : store.instances()) {
      if (r.instanceId() == owner) {
        String endpoint = r.facts().rpcEndpoint();
        if (endpoint == null || endpoint.isBlank()) {
          throw CellarException.invalid(
              "The rpc endpoint of the vineyard instance " + owner + " is not available.");
        }
        return endpoint;
      }
    }
    throw CellarException.invalid("the remote instance i" + owner + " doesn't exist");
  }

  private static void collectBlobs(JsonNode tree, Set<Long> out) {
    JsonNode id = tree.get("id");
    if (id != null && id.isTextual() && ObjectIds.isBlob(ObjectIds.parseText(id.textValue()))) {
      long blob = ObjectIds.parseText(id.textValue());
      if (blob != ObjectIds.EMPTY_BLOB) {
        out.add(blob);
      }
      return;
    }
    for (JsonNode member : tree) {
      if (member.isObject()) {
        collectBlobs(member, out);
      }
    }
  }

  /** The tree again with the local blobs, this instance's id, transient; ids left to create. */
  private ObjectNode recreate(ObjectNode tree, Map<Long, Long> local) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> field : tree.properties()) {
      String key = field.getKey();
      JsonNode value = field.getValue();
      if (key.equals("id")) {
        continue;
      }
      if (value.isObject()) {
        JsonNode memberId = value.get("id");
        if ("vineyard::Blob".equals(value.path("typename").asText(""))
            && memberId != null
            && memberId.isTextual()) {
          long original = ObjectIds.parseText(memberId.textValue());
          long blob = original == ObjectIds.EMPTY_BLOB ? original : local.get(original);
          ObjectNode b = out.putObject(key);
          b.put("id", ObjectIds.toText(blob));
          b.put("typename", "vineyard::Blob");
          b.put("nbytes", value.path("nbytes").asLong(0));
          UnsignedJson.put(b, "instance_id", store.instanceId());
          b.put("transient", true);
        } else {
          out.set(key, recreate((ObjectNode) value, local));
        }
      } else {
        out.set(key, value.deepCopy());
      }
    }
    UnsignedJson.put(out, "instance_id", store.instanceId());
    out.put("transient", true);
    return out;
  }
}
