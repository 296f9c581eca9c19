package io.cellar.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.cellar.protocol.ObjectIds;
import org.junit.jupiter.api.Test;

class KeyLayoutTest {
  private final KeyLayout layout = new KeyLayout("/vineyard", 0);

  @Test
  void keysAreTheReferences() {
    assertEquals("/vineyard/S0000000000000000", layout.root());
    assertEquals("vineyard/S00000000000000ab", new KeyLayout("vineyard", 0xab).root());
    assertEquals(
        "/vineyard/S0000000000000000/data/o688d002300000002", layout.object(0x688d002300000002L));
    assertEquals(
        "/vineyard/S0000000000000000/data/o688d002300000002/__name",
        layout.objectName(0x688d002300000002L));
    assertEquals("/vineyard/S0000000000000000/names/a~1b~0c", layout.name("a/b~c"));
    assertEquals(
        "/vineyard/S0000000000000000/signatures/i3/s00000000000000ff", layout.signature(3, 0xff));
    assertEquals(
        "/vineyard/S0000000000000000/instances/i12/timestamp",
        layout.instanceField(12, "timestamp"));
    assertEquals("/vineyard/S0000000000000000/next_instance_id", layout.nextInstanceId());
    assertEquals("/vineyard/S0000000000000000/meta_sync_lock", layout.syncLock());
  }

  @Test
  void parsingIsTheInverse() {
    assertEquals(
        new ParsedKey.ObjectKey(0x688d002300000002L),
        layout.parse(layout.object(0x688d002300000002L)));
    assertEquals(new ParsedKey.ObjectKey(-1L), layout.parse(layout.object(-1L)), "all 64 bits");
    assertEquals(new ParsedKey.ObjectNameKey(7), layout.parse(layout.objectName(7)));
    assertEquals(new ParsedKey.NameKey("a/b~c"), layout.parse(layout.name("a/b~c")));
    assertEquals(new ParsedKey.SignatureKey(3, 0xff), layout.parse(layout.signature(3, 0xff)));
    assertEquals(
        "/vineyard/S0000000000000000/signatures/i18446744073709551615/s688df57162800000",
        layout.signature(ObjectIds.UNSPECIFIED_INSTANCE, 0x688df57162800000L),
        "a global object's, as the reference files it");
    assertEquals(
        new ParsedKey.SignatureKey(ObjectIds.UNSPECIFIED_INSTANCE, 0x688df57162800000L),
        layout.parse(layout.signature(ObjectIds.UNSPECIFIED_INSTANCE, 0x688df57162800000L)));
    assertEquals(
        new ParsedKey.InstanceKey(12, "hostid"), layout.parse(layout.instanceField(12, "hostid")));
    assertEquals(new ParsedKey.NextInstanceIdKey(), layout.parse(layout.nextInstanceId()));
    assertEquals(new ParsedKey.LockKey(), layout.parse(layout.syncLock() + "/694d7a1b"));
    assertEquals(new ParsedKey.LockKey(), layout.parse(layout.userLock("/x")));
  }

  @Test
  void otherSessionsAndStrangeShapesAreRecognised() {
    assertInstanceOf(
        ParsedKey.ForeignKey.class, layout.parse("/vineyard/S0000000000000001/data/o01"));
    assertInstanceOf(
        ParsedKey.ForeignKey.class, layout.parse("/vineyardX/S0000000000000000/data/o01"));
    assertInstanceOf(ParsedKey.ForeignKey.class, layout.parse("/other"));
    for (String bad :
        new String[] {
          "/data/zzz",
          "/data/o",
          "/data/o00000000000000001",
          "/data/o01/other",
          "/names/",
          "/signatures/i0/x",
          "/signatures/ix/s01",
          "/signatures/i0",
          "/signatures/i18446744073709551614/s01",
          "/instances/iabc/hostid",
          "/instances/i1",
          "/instances/i1/",
          "/whatever",
          "/data/o0g"
        }) {
      assertInstanceOf(ParsedKey.UnknownKey.class, layout.parse(layout.root() + bad), bad);
    }
  }

  @Test
  void namesEscapeAsJsonPointers() {
    assertEquals("a~1b", NameEscaping.escape("a/b"));
    assertEquals("x~0y", NameEscaping.escape("x~y"));
    assertEquals("~01", NameEscaping.escape("~1"), "~ first, so ~1 in a name survives");
    assertEquals("~1", NameEscaping.unescape("~01"));
    for (String name : new String[] {"", "/", "~", "~~//", "/vineyard/data/x_train.pkl", "a~1b"}) {
      assertEquals(name, NameEscaping.unescape(NameEscaping.escape(name)), name);
    }
  }
}
