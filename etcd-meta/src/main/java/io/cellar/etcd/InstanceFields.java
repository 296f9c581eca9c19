package io.cellar.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.core.meta.backend.InstanceRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The keys {@code /instances/i<N>/…} as the reference writes them ({@code registerToEtcd}): {@code
 * hostid} an unsigned JSON number, {@code hostname}, {@code nodename}, {@code rpc_endpoint} and
 * {@code ipc_socket} JSON strings, {@code timestamp} a JSON number, {@code member_id} (only an
 * instance that launched its etcd) the member id in decimal as a JSON string.
 *
 * <p>Stateless and thread-safe.
 */
final class InstanceFields {
  static final String HOSTID = "hostid";
  static final String HOSTNAME = "hostname";
  static final String NODENAME = "nodename";
  static final String RPC_ENDPOINT = "rpc_endpoint";
  static final String IPC_SOCKET = "ipc_socket";
  static final String TIMESTAMP = "timestamp";
  static final String MEMBER_ID = "member_id";
  static final String RDMA_ENDPOINT = "rdma_endpoint";

  /** Every field the reference deletes when it declares an instance dead. */
  static final List<String> ALL =
      List.of(
          HOSTID,
          MEMBER_ID,
          TIMESTAMP,
          HOSTNAME,
          NODENAME,
          RPC_ENDPOINT,
          RDMA_ENDPOINT,
          IPC_SOCKET);

  private InstanceFields() {}

  /**
   * The registration's instance keys, in the reference's order.
   *
   * @param layout the layout
   * @param id the instance id
   * @param facts what the instance publishes
   * @param memberId the launched etcd's member id, or 0 when this instance launched none
   * @return the puts
   */
  static List<EtcdWrite> registration(
      KeyLayout layout, long id, InstanceFacts facts, long memberId) {
    List<EtcdWrite> writes = new ArrayList<>();
    writes.add(
        EtcdWrite.put(layout.instanceField(id, HOSTID), Long.toUnsignedString(facts.hostId())));
    if (memberId != 0) {
      writes.add(
          EtcdWrite.put(
              layout.instanceField(id, MEMBER_ID), text(Long.toUnsignedString(memberId))));
    }
    writes.add(EtcdWrite.put(layout.instanceField(id, HOSTNAME), text(facts.hostname())));
    writes.add(EtcdWrite.put(layout.instanceField(id, NODENAME), text(facts.nodename())));
    writes.add(EtcdWrite.put(layout.instanceField(id, RPC_ENDPOINT), text(facts.rpcEndpoint())));
    writes.add(EtcdWrite.put(layout.instanceField(id, IPC_SOCKET), text(facts.ipcSocket())));
    writes.add(timestamp(layout, id));
    return writes;
  }

  /**
   * The heartbeat's write: {@code timestamp} = the reference's {@code GetTimestamp()}.
   *
   * @param layout the layout
   * @param id the instance id
   * @return the put
   */
  static EtcdWrite timestamp(KeyLayout layout, long id) {
    return EtcdWrite.put(layout.instanceField(id, TIMESTAMP), Long.toString(referenceTimestamp()));
  }

  /**
   * The reference's {@code GetTimestamp()}: seconds since the epoch in the high 32 bits plus
   * microseconds, a number that only has to change.
   *
   * @return the timestamp
   */
  static long referenceTimestamp() {
    java.time.Instant now = java.time.Instant.now();
    return (now.getEpochSecond() << 32) + now.getNano() / 1000;
  }

  /**
   * Reads an instance's record from its fields.
   *
   * @param id the instance id
   * @param fields raw values by field name
   * @return the record, or null when the instance has no {@code hostid} (not registered, or
   *     half-deleted)
   * @throws MalformedValueException when a field is not of the reference's type
   */
  static InstanceRecord record(long id, Map<String, byte[]> fields) {
    byte[] hostId = fields.get(HOSTID);
    if (hostId == null) {
      return null;
    }
    long host = OpCodec.unsigned(OpCodec.parse(hostId));
    InstanceFacts facts =
        new InstanceFacts(
            string(fields, HOSTNAME),
            string(fields, NODENAME),
            string(fields, IPC_SOCKET),
            string(fields, RPC_ENDPOINT),
            host);
    long timestamp = 0;
    byte[] ts = fields.get(TIMESTAMP);
    if (ts != null) {
      JsonNode node = OpCodec.parse(ts);
      if (!node.isIntegralNumber()) {
        throw new MalformedValueException("timestamp is not a number");
      }
      timestamp = referenceToMillis(node.longValue());
    }
    return new InstanceRecord(id, facts, timestamp);
  }

  /** The reference timestamp in milliseconds since the epoch, as {@link InstanceRecord} wants. */
  static long referenceToMillis(long referenceTimestamp) {
    return (referenceTimestamp >>> 32) * 1000 + (referenceTimestamp & 0xffffffffL) / 1000;
  }

  private static String string(Map<String, byte[]> fields, String field) {
    byte[] value = fields.get(field);
    if (value == null) {
      return "";
    }
    JsonNode node = OpCodec.parse(value);
    if (!node.isTextual()) {
      throw new MalformedValueException(field + " is not a JSON string");
    }
    return node.textValue();
  }

  private static String text(String value) {
    return new String(
        OpCodec.encode(OpCodec.JSON.getNodeFactory().textNode(value == null ? "" : value)),
        java.nio.charset.StandardCharsets.UTF_8);
  }
}
