package io.cellar.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.meta.backend.MetaOp;
import io.cellar.protocol.ObjectIds;
import io.cellar.protocol.UnsignedJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Translates {@link MetaOp}s to the reference's etcd writes and etcd keys back to {@link MetaOp}s.
 * Values are JSON text exactly as the reference writes them: an object is its persisted JSON, a
 * name is {@code /names/<escaped>} = the id as a JSON number plus {@code /data/o…/__name} = the
 * {@code v}-encoded escaped name as a JSON string, a signature is the object id {@code "o…"} as a
 * JSON string.
 *
 * <p>Immutable and thread-safe.
 */
final class OpCodec {
  static final ObjectMapper JSON = new ObjectMapper();

  private final KeyLayout layout;

  OpCodec(KeyLayout layout) {
    this.layout = layout;
  }

  /**
   * What a change needs to know from etcd before it can be written: a name's object (to drop its
   * {@code __name}), an object's instance and signature (to drop its signature record).
   *
   * @param op the change
   * @return the key to read first, or empty when the change needs nothing
   */
  Optional<String> lookupFor(MetaOp op) {
    return switch (op) {
      case MetaOp.DropName n -> Optional.of(layout.name(n.name()));
      case MetaOp.DeleteObject d -> Optional.of(layout.object(d.id()));
      default -> Optional.empty();
    };
  }

  /**
   * The writes of one change, in the reference's order.
   *
   * @param op the change
   * @param looked the value of {@link #lookupFor}'s key, or null when absent or not needed
   * @return the writes
   */
  List<EtcdWrite> writes(MetaOp op, byte[] looked) {
    List<EtcdWrite> writes = new ArrayList<>(3);
    switch (op) {
      case MetaOp.PutObject p ->
          writes.add(EtcdWrite.put(layout.object(p.id()), encode(p.persisted())));
      case MetaOp.DeleteObject d -> {
        writes.add(EtcdWrite.delete(layout.object(d.id())));
        signatureOf(looked)
            .ifPresent(s -> writes.add(EtcdWrite.delete(layout.signature(s[0], s[1]))));
        writes.add(EtcdWrite.delete(layout.objectName(d.id())));
      }
      case MetaOp.PutName n -> {
        writes.add(EtcdWrite.put(layout.name(n.name()), Long.toUnsignedString(n.id())));
        writes.add(
            EtcdWrite.put(
                layout.objectName(n.id()),
                encode(JSON.getNodeFactory().textNode("v" + NameEscaping.escape(n.name())))));
      }
      case MetaOp.DropName n -> {
        writes.add(EtcdWrite.delete(layout.name(n.name())));
        idOf(looked).ifPresent(id -> writes.add(EtcdWrite.delete(layout.objectName(id))));
      }
      case MetaOp.PutSignature s ->
          writes.add(
              EtcdWrite.put(
                  layout.signature(s.instanceId(), s.signature()),
                  encode(JSON.getNodeFactory().textNode(ObjectIds.toText(s.id())))));
    }
    return writes;
  }

  /**
   * The change a put shows, if the key is metadata and the value well formed.
   *
   * @param key the parsed key
   * @param value the value bytes
   * @return the change, or empty for keys that carry no change (instances, {@code __name}, …)
   * @throws MalformedValueException when the value is not what the key's shape demands
   */
  Optional<MetaOp> fromPut(ParsedKey key, byte[] value) {
    return switch (key) {
      case ParsedKey.ObjectKey o -> {
        JsonNode node = parse(value);
        if (!(node instanceof ObjectNode object)) {
          throw new MalformedValueException("an object's value is not a JSON object");
        }
        yield Optional.of(new MetaOp.PutObject(o.id(), object));
      }
      case ParsedKey.NameKey n -> Optional.of(new MetaOp.PutName(n.name(), unsigned(parse(value))));
      case ParsedKey.SignatureKey s -> {
        JsonNode node = parse(value);
        if (!node.isTextual() || !KeyLayout.isTextId(node.textValue(), 'o')) {
          throw new MalformedValueException("a signature's value is not an \"o…\" id");
        }
        yield Optional.of(
            new MetaOp.PutSignature(
                s.instanceId(), s.signature(), ObjectIds.parseText(node.textValue())));
      }
      default -> Optional.empty();
    };
  }

  /**
   * The change a delete shows.
   *
   * @param key the parsed key
   * @return the change, or empty for keys that carry none (signatures: the seam has no op for a
   *     dropped signature; {@code __name}: the name's own key carries the drop)
   */
  Optional<MetaOp> fromDelete(ParsedKey key) {
    return switch (key) {
      case ParsedKey.ObjectKey o -> Optional.of(new MetaOp.DeleteObject(o.id()));
      case ParsedKey.NameKey n -> Optional.of(new MetaOp.DropName(n.name()));
      default -> Optional.empty();
    };
  }

  static JsonNode parse(byte[] value) {
    try {
      JsonNode node = JSON.readTree(value);
      if (node == null || node.isMissingNode()) {
        throw new MalformedValueException("empty value");
      }
      return node;
    } catch (IOException e) {
      throw new MalformedValueException(
          "not JSON: "
              + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
  }

  static long unsigned(JsonNode node) {
    if (!node.isIntegralNumber()) {
      throw new MalformedValueException("not an unsigned integer: " + node);
    }
    try {
      return UnsignedJson.read(node, "value");
    } catch (RuntimeException e) {
      throw new MalformedValueException(e.getMessage());
    }
  }

  static byte[] encode(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + node, e);
    }
  }

  private static Optional<long[]> signatureOf(byte[] object) {
    if (object == null) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(object);
      JsonNode instance = node.get("instance_id");
      JsonNode signature = node.get("signature");
      if (instance == null || signature == null) {
        return Optional.empty();
      }
      return Optional.of(
          new long[] {
            UnsignedJson.read(instance, "instance_id"), UnsignedJson.read(signature, "signature")
          });
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Long> idOf(byte[] name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(unsigned(parse(name)));
    } catch (MalformedValueException e) {
      return Optional.empty();
    }
  }
}
