package io.cellar.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Apache's MD5 password hash ({@code $apr1$salt$digest}, {@code htpasswd -m}): the MD5-crypt
 * algorithm of FreeBSD with the magic {@code $apr1$}, 1000 rounds, and crypt's base-64 alphabet.
 *
 * <p>Stateless and thread-safe.
 */
final class AprMd5 {
  private static final String MAGIC = "$apr1$";
  private static final String ITOA64 =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private AprMd5() {}

  /**
   * The salt of a hash: at most 8 characters after the magic, up to the next {@code $}.
   *
   * @param hash {@code $apr1$salt$digest}
   * @return the salt
   */
  static String salt(String hash) {
    String rest = hash.substring(MAGIC.length());
    int end = rest.indexOf('$');
    String s = end < 0 ? rest : rest.substring(0, end);
    return s.length() > 8 ? s.substring(0, 8) : s;
  }

  /**
   * Hashes a password with a salt.
   *
   * @param password the password bytes
   * @param salt the salt, at most 8 characters
   * @return {@code $apr1$salt$digest}
   */
  static String hash(byte[] password, String salt) {
    byte[] saltBytes = salt.getBytes(StandardCharsets.US_ASCII);
    MessageDigest ctx = md5();
    ctx.update(password);
    ctx.update(MAGIC.getBytes(StandardCharsets.US_ASCII));
    ctx.update(saltBytes);
    MessageDigest alt = md5();
    alt.update(password);
    alt.update(saltBytes);
    alt.update(password);
    byte[] finalBytes = alt.digest();
    for (int left = password.length; left > 0; left -= 16) {
      ctx.update(finalBytes, 0, Math.min(left, 16));
    }
    for (int i = password.length; i != 0; i >>>= 1) {
      if ((i & 1) != 0) {
        ctx.update((byte) 0);
      } else {
        ctx.update(password, 0, Math.min(1, password.length));
      }
    }
    finalBytes = ctx.digest();
    for (int i = 0; i < 1000; i++) {
      MessageDigest round = md5();
      if ((i & 1) != 0) {
        round.update(password);
      } else {
        round.update(finalBytes);
      }
      if (i % 3 != 0) {
        round.update(saltBytes);
      }
      if (i % 7 != 0) {
        round.update(password);
      }
      if ((i & 1) != 0) {
        round.update(finalBytes);
      } else {
        round.update(password);
      }
      finalBytes = round.digest();
    }
    StringBuilder out = new StringBuilder(MAGIC).append(salt).append('$');
    int[][] groups = {{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}};
    for (int[] g : groups) {
      int v =
          ((finalBytes[g[0]] & 0xff) << 16)
              | ((finalBytes[g[1]] & 0xff) << 8)
              | (finalBytes[g[2]] & 0xff);
      to64(out, v, 4);
    }
    to64(out, finalBytes[11] & 0xff, 2);
    return out.toString();
  }

  private static void to64(StringBuilder out, int v, int n) {
    for (int i = 0; i < n; i++) {
      out.append(ITOA64.charAt(v & 0x3f));
      v >>>= 6;
    }
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }
}
