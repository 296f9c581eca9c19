package io.cellar.core.meta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.id.IdGenerator;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.core.meta.backend.MetaSnapshot;
import io.cellar.core.meta.local.LocalMetaBackend;
import io.cellar.protocol.ObjectIds;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A tree over the local metadata backend and an in-memory blob table, for tests. */
final class MetaFixture {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A blob table holding sealed blobs only. Thread-safe. */
  static final class SealedBlobs implements BlobCatalog {
    final Map<Long, Long> sizes = new ConcurrentHashMap<>();

    @Override
    public long blobSize(long id) {
      Long s = sizes.get(id);
      return s == null ? -1 : s;
    }

    @Override
    public long[] sealedBlobIds() {
      return sizes.keySet().stream().mapToLong(Long::longValue).toArray();
    }
  }

  final IdGenerator ids;
  final LocalMetaBackend backend = new LocalMetaBackend();
  final SealedBlobs blobs = new SealedBlobs();
  final MetaTree tree;

  MetaFixture() {
    this(new IdGenerator(0));
  }

  MetaFixture(IdGenerator ids) {
    this.ids = ids;
    backend.register(InstanceFacts.NONE);
    this.tree = new MetaTree(0, ids, backend, blobs);
  }

  /** What the tree has shared with the backend so far. */
  MetaSnapshot shared() {
    return backend.load();
  }

  /** The object the backend holds for a signature on an instance, or -1. */
  long signatureObject(long instanceId, long signature) {
    for (MetaOp.PutSignature s : shared().signatures()) {
      if (s.instanceId() == instanceId && s.signature() == signature) {
        return s.id();
      }
    }
    return ObjectIds.INVALID;
  }

  /** A new sealed blob of a size. */
  long blob(long size) {
    long id = ids.nextBlobId();
    blobs.sizes.put(id, size);
    return id;
  }

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** The Python client's metadata of a float64 array of 3 elements (reference §4.6). */
  static ObjectNode tensor(long blobId) {
    return tensor(blobId, 0);
  }

  static ObjectNode tensor(long blobId, long blobInstance) {
    ObjectNode t =
        json(
            "{'typename':'vineyard::Tensor<double>','global':false,'shape_':'[3]',"
                + "'partition_index_':'[]','nbytes':24,'order_':'\\'C\\'',"
                + "'value_type_':'float64','value_type_meta_':'<f8','instance_id':0,"
                + "'transient':true,'buffer_':{'id':'"
                + ObjectIds.toText(blobId)
                + "','typename':'vineyard::Blob','length':24,'nbytes':24,'instance_id':"
                + blobInstance
                + ",'transient':true}}");
    return t;
  }

  /** A plain object of a type with members given as JSON text fragments. */
  static ObjectNode object(String typename, String... members) {
    StringBuilder b = new StringBuilder("{'typename':'" + typename + "','instance_id':0");
    for (String m : members) {
      b.append(',').append(m);
    }
    return json(b.append('}').toString());
  }

  static String ref(String field, long id) {
    return "'" + field + "':{'id':'" + ObjectIds.toText(id) + "'}";
  }

  static String blobRef(String field, long id) {
    return "'"
        + field
        + "':{'id':'"
        + ObjectIds.toText(id)
        + "','typename':'vineyard::Blob','instance_id':0,'length':8,'nbytes':8,'transient':true}";
  }
}
