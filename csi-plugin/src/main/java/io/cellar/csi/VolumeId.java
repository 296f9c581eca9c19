package io.cellar.csi;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The stateless volume id: everything later calls need, carried in the id itself, so a controller
 * restarted on another node loses nothing.
 *
 * <pre>
 *   cellar1.k.&lt;unique&gt;.&lt;namespace&gt;.&lt;name&gt;              keep the objects on DeleteVolume
 *   cellar1.d.&lt;unique&gt;.&lt;prefix&gt;.&lt;namespace&gt;.&lt;name&gt;     delete the objects named under prefix
 *      |    |     |         |          |           +-- vineyard cluster name (DNS subdomain, may hold dots)
 *      |    |     |         |          +-------------- vineyard cluster namespace (DNS label, no dots)
 *      |    |     |         +------------------------- object-name prefix, base64url without padding
 *      |    |     +----------------------------------- 20 hex digits: SHA-256 of the CreateVolume name
 *      |    +----------------------------------------- k: keep, d: delete objects on DeleteVolume
 *      +---------------------------------------------- format tag
 * </pre>
 *
 * <p>The unique part depends only on the request name, so a repeated CreateVolume with the same
 * name and parameters returns the same id. Namespace and name are validated as Kubernetes names,
 * which also guarantees they are safe single path segments under the socket root. The object prefix
 * (StorageClass parameter {@value #OBJECT_PREFIX_KEY}) is the start of the in-pod paths that {@code
 * vineyard.csi.write} uses as object names, for example {@code /vineyard/data/}; the base64url
 * alphabet has no dot, so the id still splits unambiguously. Instances are immutable and
 * thread-safe.
 *
 * @param namespace the vineyard cluster's namespace (a DNS label)
 * @param name the vineyard cluster's name (a DNS subdomain)
 * @param objectPrefix present when DeleteVolume deletes the objects whose names start with it
 * @param unique the 20 hex digits derived from the CreateVolume request name
 */
public record VolumeId(
    String namespace, String name, Optional<String> objectPrefix, String unique) {

  /** StorageClass parameter naming the vineyard cluster's namespace. */
  public static final String NAMESPACE_KEY = "k8s.v6d.io/vineyard/namespace";

  /** StorageClass parameter naming the vineyard cluster (the Vineyardd resource). */
  public static final String NAME_KEY = "k8s.v6d.io/vineyard/name";

  /** StorageClass parameter: {@code "true"} makes DeleteVolume delete the volume's objects. */
  public static final String DELETE_OBJECTS_KEY = "k8s.v6d.io/vineyard/delete-objects";

  /**
   * StorageClass parameter naming the object-name prefix of a volume's objects (the in-pod path
   * under which {@code vineyard.csi.write} names them, for example {@code /vineyard/data/});
   * required with {@code delete-objects: "true"}.
   */
  public static final String OBJECT_PREFIX_KEY = "k8s.v6d.io/vineyard/object-prefix";

  /** The CSI specification's limit on a volume id, in bytes. */
  public static final int MAX_LENGTH = 128;

  private static final String TAG = "cellar1";
  private static final int UNIQUE_HEX_DIGITS = 20;
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern UNIQUE = Pattern.compile("[0-9a-f]{" + UNIQUE_HEX_DIGITS + "}");

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException when a component is not valid; the message says which
   */
  public VolumeId {
    if (namespace == null || !DNS_LABEL.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          NAMESPACE_KEY + " must be a Kubernetes namespace name (DNS label), got: " + namespace);
    }
    if (name == null || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      throw new IllegalArgumentException(
          NAME_KEY + " must be a Kubernetes object name (DNS subdomain), got: " + name);
    }
    if (unique == null || !UNIQUE.matcher(unique).matches()) {
      throw new IllegalArgumentException("unique part must be 20 lowercase hex digits");
    }
    if (objectPrefix == null) {
      throw new IllegalArgumentException("objectPrefix must be present or empty, not null");
    }
    if (objectPrefix.isPresent() && !objectPrefix.get().startsWith("/")) {
      throw new IllegalArgumentException(
          OBJECT_PREFIX_KEY
              + " must be an absolute in-pod path such as /vineyard/data/, got: "
              + objectPrefix.get());
    }
  }

  /**
   * Whether DeleteVolume deletes the objects named under {@link #objectPrefix()}.
   *
   * @return true for a volume created with {@code delete-objects: "true"}
   */
  public boolean deleteObjects() {
    return objectPrefix.isPresent();
  }

  /**
   * Builds the id of the volume CreateVolume makes for a request name and StorageClass parameters.
   *
   * @param requestName the CreateVolume name (the CO's idempotency key), not empty
   * @param parameters the CreateVolume parameters
   * @return the id, the same for the same name and parameters
   * @throws IllegalArgumentException when a parameter is missing or malformed, or the id would
   *     exceed {@link #MAX_LENGTH}; the message says which
   */
  public static VolumeId forRequest(String requestName, Map<String, String> parameters) {
    String namespace = parameters.get(NAMESPACE_KEY);
    String name = parameters.get(NAME_KEY);
    if (namespace == null || namespace.isEmpty()) {
      throw new IllegalArgumentException("missing StorageClass parameter " + NAMESPACE_KEY);
    }
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("missing StorageClass parameter " + NAME_KEY);
    }
    String delete = parameters.getOrDefault(DELETE_OBJECTS_KEY, "false");
    if (!delete.equals("true") && !delete.equals("false")) {
      throw new IllegalArgumentException(
          DELETE_OBJECTS_KEY + " must be \"true\" or \"false\", got: " + delete);
    }
    Optional<String> prefix = Optional.empty();
    if (delete.equals("true")) {
      String given = parameters.get(OBJECT_PREFIX_KEY);
      if (given == null || given.isEmpty()) {
        throw new IllegalArgumentException(
            "missing StorageClass parameter "
                + OBJECT_PREFIX_KEY
                + " (the in-pod path prefix of the objects to delete, for example /vineyard/data/),"
                + " required with "
                + DELETE_OBJECTS_KEY
                + "=true");
      }
      prefix = Optional.of(given);
    }
    VolumeId id = new VolumeId(namespace, name, prefix, uniqueOf(requestName));
    int length = id.encode().getBytes(StandardCharsets.UTF_8).length;
    if (length > MAX_LENGTH) {
      if (prefix.isPresent()) {
        throw new IllegalArgumentException(
            OBJECT_PREFIX_KEY
                + " is too long: with cluster "
                + namespace
                + "/"
                + name
                + " the volume id would take "
                + length
                + " bytes, over the CSI limit of "
                + MAX_LENGTH
                + " (the prefix takes 4/3 of its UTF-8 length): "
                + prefix.get());
      }
      throw new IllegalArgumentException(
          "namespace and name are too long for a "
              + MAX_LENGTH
              + "-byte volume id: "
              + namespace
              + "/"
              + name);
    }
    return id;
  }

  /**
   * Parses an id made by {@link #encode()}.
   *
   * @param volumeId any string
   * @return the id, or empty when the string is not one of ours (the volume does not exist)
   */
  public static Optional<VolumeId> decode(String volumeId) {
    String[] head = volumeId.split("\\.", 3);
    if (head.length != 3 || !head[0].equals(TAG)) {
      return Optional.empty();
    }
    try {
      if (head[1].equals("k")) {
        String[] parts = volumeId.split("\\.", 5);
        if (parts.length != 5) {
          return Optional.empty();
        }
        return Optional.of(new VolumeId(parts[3], parts[4], Optional.empty(), parts[2]));
      }
      if (head[1].equals("d")) {
        String[] parts = volumeId.split("\\.", 6);
        if (parts.length != 6 || !BASE64URL.matcher(parts[3]).matches()) {
          return Optional.empty();
        }
        String prefix =
            StandardCharsets.UTF_8
                .newDecoder()
                .decode(ByteBuffer.wrap(Base64.getUrlDecoder().decode(parts[3])))
                .toString();
        return Optional.of(new VolumeId(parts[4], parts[5], Optional.of(prefix), parts[2]));
      }
      return Optional.empty();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /**
   * The id as a string.
   *
   * @return {@code cellar1.k.<unique>.<namespace>.<name>} or {@code cellar1.d.<unique>.<base64url
   *     prefix>.<namespace>.<name>}
   */
  public String encode() {
    if (objectPrefix.isEmpty()) {
      return TAG + ".k." + unique + "." + namespace + "." + name;
    }
    String prefix =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(objectPrefix.get().getBytes(StandardCharsets.UTF_8));
    return TAG + ".d." + unique + "." + prefix + "." + namespace + "." + name;
  }

  @Override
  public String toString() {
    return encode();
  }

  private static String uniqueOf(String requestName) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(requestName.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, UNIQUE_HEX_DIGITS / 2);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
