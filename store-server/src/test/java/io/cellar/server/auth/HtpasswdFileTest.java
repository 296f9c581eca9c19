package io.cellar.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The htpasswd formats, checked against a file written by Apache's own {@code htpasswd} 2.4.71:
 * {@code -B} (bcrypt cost 5, and cost 10 with {@code -C 10}), {@code -m} ($apr1$ MD5) and {@code
 * -s} ({SHA}).
 */
class HtpasswdFileTest {
  @TempDir Path dir;

  private Path fixture() throws IOException {
    Path file = dir.resolve("htpasswd");
    try (InputStream in = getClass().getResourceAsStream("htpasswd")) {
      Files.copy(in, file);
    }
    return file;
  }

  @Test
  void everyFormatHtpasswdWritesIsVerified() throws IOException {
    HtpasswdFile db = new HtpasswdFile(fixture());
    assertTrue(db.verify("alice", "wonder land"), "bcrypt $2y$05$ (htpasswd -B)");
    assertTrue(db.verify("bob", "b0b!"), "$apr1$ (htpasswd -m)");
    assertTrue(db.verify("carol", "c@rol"), "{SHA} (htpasswd -s)");
    assertTrue(db.verify("dave", "dave"), "bcrypt $2y$10$ (htpasswd -B -C 10)");
  }

  @Test
  void wrongPasswordsAndUnknownUsersAreRefused() throws IOException {
    HtpasswdFile db = new HtpasswdFile(fixture());
    assertFalse(db.verify("alice", "wonder-land"));
    assertFalse(db.verify("bob", "b0b"));
    assertFalse(db.verify("carol", ""));
    assertFalse(db.verify("dave", "Dave"));
    assertFalse(db.verify("eve", "anything"));
    assertFalse(db.verify("", ""));
    assertFalse(db.verify("alice", "bob:$apr1$leH0DK4a$IRiluvVxjXlOkSwD/GtYP."));
  }

  @Test
  void aprMd5IsApachesAlgorithm() {
    // from the fixture's bob line, written by htpasswd -m
    assertEquals(
        "$apr1$leH0DK4a$IRiluvVxjXlOkSwD/GtYP.",
        AprMd5.hash("b0b!".getBytes(), AprMd5.salt("$apr1$leH0DK4a$IRiluvVxjXlOkSwD/GtYP.")));
  }

  @Test
  void unknownFormatsNeverMatch() {
    assertFalse(HtpasswdFile.matches("secret", "secret"), "plain text (Linux htpasswd -v refuses)");
    assertFalse(HtpasswdFile.matches("abJnggxhB/yWI", "password"), "crypt(3) DES");
    assertFalse(HtpasswdFile.matches("{SHA}not base64!", "x"));
  }

  @Test
  void aChangedFileIsReadAgainAndARemovedOneIsAnError() throws IOException {
    Path file = fixture();
    HtpasswdFile db = new HtpasswdFile(file);
    assertFalse(db.verify("frank", "c@rol"));
    Files.writeString(file, "frank:{SHA}FJUfb+4uK64QmMAhC8KnOaYvt0U=\n");
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
    assertTrue(db.verify("frank", "c@rol"));
    assertFalse(db.verify("alice", "wonder land"), "alice was removed");
    Files.delete(file);
    IOException e = assertThrows(IOException.class, () -> db.verify("frank", "c@rol"));
    assertTrue(e.getMessage().contains("Failed to find the htpasswd database"), e.getMessage());
  }
}
