package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.core.meta.backend.MetaOp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpCodecTest {
  private final KeyLayout layout = new KeyLayout("/v", 0);
  private final OpCodec codec = new OpCodec(layout);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void namesAreWrittenAsTheReferenceDoes() {
    assertEquals(
        List.of(
            EtcdWrite.put("/v/S0000000000000000/names/a~1b", "9223372036854775817"),
            EtcdWrite.put("/v/S0000000000000000/data/o8000000000000009/__name", "\"va~1b\"")),
        codec.writes(new MetaOp.PutName("a/b", 0x8000000000000009L), null),
        "ids as unsigned numbers");
    assertEquals(
        List.of(
            EtcdWrite.delete("/v/S0000000000000000/names/a~1b"),
            EtcdWrite.delete("/v/S0000000000000000/data/o0000000000000005/__name")),
        codec.writes(new MetaOp.DropName("a/b"), b("5")));
  }

  @Test
  void aDeletedObjectTakesItsSignatureAndNameKeyAlong() throws Exception {
    byte[] object = b("{\"instance_id\":2,\"signature\":255,\"typename\":\"vx\"}");
    assertEquals(
        List.of(
            EtcdWrite.delete(layout.object(5)),
            EtcdWrite.delete(layout.signature(2, 255)),
            EtcdWrite.delete(layout.objectName(5))),
        codec.writes(new MetaOp.DeleteObject(5), object));
  }

  @Test
  void valuesDecodeBackIntoOps() throws Exception {
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree("{\"typename\":\"vx\",\"n\":1}");
    assertEquals(
        Optional.of(new MetaOp.PutObject(5, json)),
        codec.fromPut(layout.parse(layout.object(5)), OpCodec.encode(json)));
    assertEquals(
        Optional.of(new MetaOp.PutName("x~y", -2L)),
        codec.fromPut(layout.parse(layout.name("x~y")), b("18446744073709551614")));
    assertEquals(
        Optional.of(new MetaOp.PutSignature(1, 2, 3)),
        codec.fromPut(layout.parse(layout.signature(1, 2)), b("\"o0000000000000003\"")));
    assertEquals(Optional.empty(), codec.fromPut(layout.parse(layout.objectName(5)), b("\"va\"")));
    assertEquals(
        Optional.of(new MetaOp.DeleteObject(5)), codec.fromDelete(layout.parse(layout.object(5))));
    assertEquals(
        Optional.of(new MetaOp.DropName("a/b")),
        codec.fromDelete(layout.parse(layout.name("a/b"))));
  }

  @Test
  void malformedValuesAreRefused() {
    ParsedKey object = layout.parse(layout.object(5));
    assertThrows(MalformedValueException.class, () -> codec.fromPut(object, b("{\"a\":")));
    assertThrows(MalformedValueException.class, () -> codec.fromPut(object, b("[1]")));
    assertThrows(MalformedValueException.class, () -> codec.fromPut(object, b("")));
    ParsedKey name = layout.parse(layout.name("n"));
    assertThrows(MalformedValueException.class, () -> codec.fromPut(name, b("\"5\"")));
    assertThrows(MalformedValueException.class, () -> codec.fromPut(name, b("-1.5")));
    ParsedKey sig = layout.parse(layout.signature(0, 1));
    assertThrows(MalformedValueException.class, () -> codec.fromPut(sig, b("12")));
  }
}
