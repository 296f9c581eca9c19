package io.cellar.core.meta.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The whole shared metadata at one revision: what an instance loads at start before it watches for
 * changes from {@code revision + 1}.
 *
 * @param revision the backend's revision the snapshot is consistent at
 * @param objects persisted objects by id, in the encoding of {@link MetaOp.PutObject}
 * @param names names to object ids
 * @param signatures the objects carrying each signature on each instance ({@code
 *     /signatures/i<N>/s<hex>}), which a global object's {@code l<s-signature>} member links are
 *     resolved through
 * @param instances the registered instances
 */
public record MetaSnapshot(
    long revision,
    Map<Long, ObjectNode> objects,
    Map<String, Long> names,
    List<MetaOp.PutSignature> signatures,
    List<InstanceRecord> instances) {

  /** An empty snapshot at revision 0. */
  public static final MetaSnapshot EMPTY =
      new MetaSnapshot(0, Map.of(), Map.of(), List.of(), List.of());
}
