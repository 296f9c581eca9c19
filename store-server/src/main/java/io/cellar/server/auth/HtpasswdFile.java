package io.cellar.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An htpasswd database: {@code user:hash} lines, as Apache's {@code htpasswd} writes them, checked
 * as {@code htpasswd -v} checks them. The hash formats: bcrypt ({@code $2y$}, {@code $2a$}, {@code
 * $2b$}; what {@code htpasswd -B} writes), Apache MD5 ({@code $apr1$}, {@code htpasswd -m}, its
 * default) and SHA-1 ({@code {SHA}}, {@code htpasswd -s}). A line in any other format (crypt(3)
 * DES, plain text) never matches, as plain text never does on Linux.
 *
 * <p>The file is read again whenever its modification time or size changes, so users added or
 * removed take effect at the next registration, as with the reference (which runs {@code htpasswd}
 * each time). Thread-safe: {@link #verify} is synchronized (bcrypt's cost makes it a worker-pool
 * call, never an event loop's).
 */
public final class HtpasswdFile {
  private final Path file;
  private Map<String, String> users = Map.of();
  private FileTime readTime;
  private long readSize = -1;

  /**
   * A database at a path.
   *
   * @param file the htpasswd file
   */
  public HtpasswdFile(Path file) {
    this.file = file;
  }

  /**
   * The file.
   *
   * @return the path
   */
  public Path file() {
    return file;
  }

  /**
   * Checks a user's password.
   *
   * @param user the user name
   * @param password the password
   * @return true when the file has the user and the password matches its hash
   * @throws IOException when the file cannot be read (for example it was removed)
   */
  public synchronized boolean verify(String user, String password) throws IOException {
    refresh();
    String hash = users.get(user);
    return hash != null && matches(hash, password);
  }

  private void refresh() throws IOException {
    FileTime time;
    long size;
    try {
      time = Files.getLastModifiedTime(file);
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new IOException("Failed to find the htpasswd database for verifying: " + file, e);
    }
    if (time.equals(readTime) && size == readSize) {
      return;
    }
    Map<String, String> parsed = new HashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (String line : lines) {
      String l = line.strip();
      int colon = l.indexOf(':');
      if (l.isEmpty() || l.startsWith("#") || colon <= 0) {
        continue;
      }
      parsed.putIfAbsent(l.substring(0, colon), l.substring(colon + 1));
    }
    users = Map.copyOf(parsed);
    readTime = time;
    readSize = size;
  }

  /**
   * Whether a password matches one htpasswd hash.
   *
   * @param hash the hash as written in the file
   * @param password the password
   * @return true on a match
   */
  static boolean matches(String hash, String password) {
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    if (hash.startsWith("$2y$") || hash.startsWith("$2a$") || hash.startsWith("$2b$")) {
      if (pw.length > 72) {
        return false; // bcrypt reads 72 bytes; Apache's htpasswd refuses longer ones too
      }
      return BCrypt.verifyer(BCrypt.Version.VERSION_2Y)
          .verify(pw, hash.getBytes(StandardCharsets.US_ASCII))
          .verified;
    }
    if (hash.startsWith("$apr1$")) {
      return MessageDigest.isEqual(
          AprMd5.hash(pw, AprMd5.salt(hash)).getBytes(StandardCharsets.US_ASCII),
          hash.getBytes(StandardCharsets.US_ASCII));
    }
    if (hash.startsWith("{SHA}")) {
      try {
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(pw);
        byte[] expected = Base64.getDecoder().decode(hash.substring(5));
        return MessageDigest.isEqual(digest, expected);
      } catch (NoSuchAlgorithmException | IllegalArgumentException e) {
        return false;
      }
    }
    return false;
  }
}
