package io.cellar.etcd;

import io.cellar.core.meta.backend.InstanceRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The instances under {@code /instances/}, field by field as the watch and the loads show them,
 * with the lease each instance's {@code hostid} lives on (0 for a reference instance, which has
 * none). An instance counts as registered while its {@code hostid} is present and well formed.
 *
 * <p>Written only under {@link ChangeFeed}'s monitor; {@link #snapshot} may be read from any
 * thread.
 */
final class InstanceTable {
  private final Map<Long, Map<String, byte[]>> fields = new TreeMap<>();
  private final Map<Long, Long> leases = new HashMap<>();
  private final MalformedKeys malformed;
  private final KeyLayout layout;
  private volatile List<InstanceRecord> snapshot = List.of();

  InstanceTable(KeyLayout layout, MalformedKeys malformed) {
    this.layout = layout;
    this.malformed = malformed;
  }

  /**
   * Applies a put or delete of one field.
   *
   * @param id the instance
   * @param field the field name
   * @param value the value, or null for a delete
   * @param lease the key's lease (puts only)
   */
  void apply(long id, String field, byte[] value, long lease) {
    if (value == null) {
      Map<String, byte[]> f = fields.get(id);
      if (f != null) {
        f.remove(field);
        if (f.isEmpty()) {
          fields.remove(id);
          leases.remove(id);
        }
      }
    } else {
      fields.computeIfAbsent(id, k -> new HashMap<>()).put(field, value);
      if (field.equals(InstanceFields.HOSTID)) {
        leases.put(id, lease);
      }
    }
  }

  /** Forgets everything (before a full reload). */
  void clear() {
    fields.clear();
    leases.clear();
  }

  /**
   * The instance's record.
   *
   * @param id the instance
   * @return the record, or null when it is not registered (or its fields are malformed)
   */
  InstanceRecord record(long id) {
    Map<String, byte[]> f = fields.get(id);
    if (f == null) {
      return null;
    }
    try {
      return InstanceFields.record(id, f);
    } catch (MalformedValueException e) {
      malformed.report(layout.instance(id), e.getMessage());
      return null;
    }
  }

  /**
   * The lease of an instance's {@code hostid}.
   *
   * @param id the instance
   * @return the lease id, 0 when it has none
   */
  long lease(long id) {
    return leases.getOrDefault(id, 0L);
  }

  /** Rebuilds {@link #snapshot} after changes. */
  void publish() {
    List<InstanceRecord> records = new ArrayList<>();
    for (Long id : fields.keySet()) {
      InstanceRecord r = record(id);
      if (r != null) {
        records.add(r);
      }
    }
    records.sort(Comparator.comparingLong(InstanceRecord::instanceId));
    snapshot = List.copyOf(records);
  }

  /**
   * The registered instances as last published.
   *
   * @return the records by id; safe from any thread
   */
  List<InstanceRecord> snapshot() {
    return snapshot;
  }
}
