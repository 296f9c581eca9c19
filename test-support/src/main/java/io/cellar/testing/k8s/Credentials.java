package io.cellar.testing.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The control plane's secrets: the admin's bearer token (in {@code system:masters}, through {@code
 * --token-auth-file}) and the RSA key pair that signs service-account tokens, made with openssl.
 * All files are readable by their owner only.
 *
 * <p>Stateless; safe from any thread.
 */
final class Credentials {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration OPENSSL_TIMEOUT = Duration.ofMinutes(1);

  /** The admin's user name in the token file. */
  static final String ADMIN_USER = "cellar-admin";

  private Credentials() {}

  /** A fresh random bearer token (32 random bytes, hex). */
  static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * Writes the API server's {@code --token-auth-file}: one line, the admin in {@code
   * system:masters}.
   *
   * @param file the CSV file
   * @param adminToken the admin's token
   */
  static void writeTokenFile(Path file, String adminToken) {
    writeTokenFile(file, adminToken, List.of());
  }

  /**
   * Writes the API server's {@code --token-auth-file}: the admin in {@code system:masters}, then
   * one line per further identity.
   *
   * @param file the CSV file
   * @param adminToken the admin's token
   * @param others more identities
   */
  static void writeTokenFile(Path file, String adminToken, List<Identity> others) {
    StringBuilder text =
        new StringBuilder(adminToken + "," + ADMIN_USER + ",cellar-admin-uid,\"system:masters\"\n");
    for (Identity identity : others) {
      text.append(identity.token())
          .append(',')
          .append(identity.user())
          .append(',')
          .append(identity.user())
          .append("-uid,\"")
          .append(identity.group())
          .append("\"\n");
    }
    writePrivate(file, text.toString());
  }

  /**
   * A static-token identity of the API server's token file.
   *
   * @param user the user name ({@code system:node:127.0.0.1})
   * @param group its one group ({@code system:nodes})
   * @param token the bearer token
   */
  record Identity(String user, String group, String token) {}

  /**
   * Makes the service-account signing key ({@code openssl genrsa}, 2048 bits) and its public half.
   *
   * @param key the private key file (PEM)
   * @param publicKey the public key file (PEM)
   * @param workDir where openssl runs
   * @throws IllegalStateException if openssl is missing or fails
   */
  static void makeServiceAccountKey(Path key, Path publicKey, Path workDir)
      throws InterruptedException {
    openssl(workDir, "genrsa", "-out", key.toString(), "2048");
    openssl(workDir, "rsa", "-in", key.toString(), "-pubout", "-out", publicKey.toString());
    try {
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException("could not restrict " + key, e);
    }
  }

  private static void openssl(Path workDir, String... args) throws InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    CommandRunner.Result result;
    try {
      result = CommandRunner.run(command, workDir, Map.of(), null, OPENSSL_TIMEOUT);
    } catch (UncheckedIOException e) {
      throw new IllegalStateException(
          "openssl is needed to make the service-account key and could not be run"
              + " (apt-get install openssl)",
          e);
    }
    if (!result.succeeded()) {
      throw new IllegalStateException(
          "openssl "
              + String.join(" ", args)
              + " exited with "
              + result.exitCode()
              + ": "
              + result.stderr().strip());
    }
  }

  /**
   * Writes {@code text} to a new file readable by its owner only (replacing any old one).
   *
   * @param file the file
   * @param text its content
   */
  static void writePrivate(Path file, String text) {
    try {
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }
}
