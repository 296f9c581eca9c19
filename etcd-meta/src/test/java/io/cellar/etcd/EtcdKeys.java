package io.cellar.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellar.testing.etcd.EtcdCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/** What etcd holds under a prefix, read with {@code etcdctl get --prefix -w json}, for tests. */
final class EtcdKeys {
  /** One key's value (as text) and lease (0: none). */
  record Kv(String value, long lease, long modRevision) {}

  private EtcdKeys() {}

  static Map<String, Kv> under(EtcdCluster etcd, String prefix) {
    String json = etcd.etcdctl("get", "--prefix", prefix, "-w", "json");
    try {
      JsonNode root = new ObjectMapper().readTree(json);
      Map<String, Kv> keys = new TreeMap<>();
      for (JsonNode kv : root.path("kvs")) {
        String key = decode(kv.get("key").asText());
        String value = kv.has("value") ? decode(kv.get("value").asText()) : "";
        keys.put(key, new Kv(value, kv.path("lease").asLong(0), kv.path("mod_revision").asLong()));
      }
      return keys;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
