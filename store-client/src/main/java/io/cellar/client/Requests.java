package io.cellar.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.UnsignedJson;
import io.cellar.protocol.VineyardVersion;
import java.util.Collection;
import java.util.Map;

/**
 * The request messages, with exactly the fields the reference C++ client writes ({@code
 * src/common/util/protocols.cc}, reference §2). Ids are written as unsigned numbers.
 *
 * <p>Stateless and thread-safe.
 */
final class Requests {
  /** The version this client reports, as the reference client of the protocol it speaks. */
  static final String CLIENT_VERSION = VineyardVersion.VALUE;

  /** {@code store_type} 1: the default (non-Plasma) bulk store. */
  static final int STORE_TYPE_DEFAULT = 1;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Requests() {}

  static ObjectNode of(String type) {
    ObjectNode request = JSON.objectNode();
    request.put("type", type);
    return request;
  }

  static ObjectNode register() {
    ObjectNode r = of("register_request");
    r.put("version", CLIENT_VERSION);
    r.put("store_type", STORE_TYPE_DEFAULT);
    r.put("session_id", 0L);
    r.put("username", "");
    r.put("password", "");
    return r;
  }

  static ObjectNode createBuffer(long size) {
    return of("create_buffer_request").put("size", size);
  }

  static ObjectNode createRemoteBuffer(long size) {
    return of("create_remote_buffer_request")
        .put("size", size)
        .put("compress", false)
        .put("use_rdma", false);
  }

  static ObjectNode seal(long id) {
    return UnsignedJson.put(of("seal_request"), "object_id", id);
  }

  /** The ids as keys {@code "0"}..{@code "num-1"} plus {@code num}, as the C++ client sends. */
  static ObjectNode getBuffers(String type, Collection<Long> ids, boolean remote) {
    ObjectNode r = of(type);
    int i = 0;
    for (long id : ids) {
      UnsignedJson.put(r, Integer.toString(i++), id);
    }
    r.put("num", ids.size());
    r.put("unsafe", false);
    if (remote) {
      r.put("compress", false);
      r.put("use_rdma", false);
    }
    return r;
  }

  static ObjectNode release(long id) {
    return UnsignedJson.put(of("release_request"), "object_id", id);
  }

  static ObjectNode dropBuffer(long id) {
    return UnsignedJson.put(of("drop_buffer_request"), "id", id);
  }

  static ObjectNode createData(ObjectNode content) {
    ObjectNode r = of("create_data_request");
    r.set("content", content);
    return r;
  }

  static ObjectNode getData(Collection<Long> ids, boolean syncRemote, boolean wait) {
    ObjectNode r = of("get_data_request");
    r.set("id", idArray(ids));
    r.put("sync_remote", syncRemote);
    r.put("wait", wait);
    return r;
  }

  static ObjectNode listData(String pattern, boolean regex, int limit) {
    return of("list_data_request").put("pattern", pattern).put("regex", regex).put("limit", limit);
  }

  static ObjectNode delData(Collection<Long> ids, boolean force, boolean deep) {
    ObjectNode r = of("del_data_request");
    r.set("id", idArray(ids));
    r.put("force", force);
    r.put("deep", deep);
    r.put("fastpath", false);
    r.put("memory_trim", false);
    return r;
  }

  static ObjectNode withId(String type, long id) {
    return UnsignedJson.put(of(type), "id", id);
  }

  static ObjectNode label(long id, Map<String, String> labels) {
    ObjectNode r = withId("label_request", id);
    ArrayNode keys = r.putArray("keys");
    ArrayNode values = r.putArray("values");
    labels.forEach(
        (k, v) -> {
          keys.add(k);
          values.add(v);
        });
    return r;
  }

  static ObjectNode shallowCopy(long id, ObjectNode extra) {
    ObjectNode r = withId("shallow_copy_request", id);
    if (extra != null) {
      r.set("extra", extra);
    }
    return r;
  }

  static ObjectNode putName(long id, String name) {
    return UnsignedJson.put(of("put_name_request"), "object_id", id).put("name", name);
  }

  static ObjectNode getName(String name, boolean wait) {
    return of("get_name_request").put("name", name).put("wait", wait);
  }

  static ObjectNode listNames(String pattern, boolean regex, int limit) {
    return of("list_name_request").put("pattern", pattern).put("regex", regex).put("limit", limit);
  }

  static ObjectNode dropName(String name) {
    return of("drop_name_request").put("name", name);
  }

  private static ArrayNode idArray(Collection<Long> ids) {
    ArrayNode array = JSON.arrayNode();
    for (long id : ids) {
      array.add(UnsignedJson.node(id));
    }
    return array;
  }
}
