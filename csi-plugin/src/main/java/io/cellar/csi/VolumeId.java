package io.cellar.csi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The stateless volume id: everything later calls need, carried in the id itself, so a controller
 * restarted on another node loses nothing.
 *
 * <pre>
 *   cellar1.&lt;k|d&gt;.&lt;unique&gt;.&lt;namespace&gt;.&lt;name&gt;
 *      |      |       |          |             +-- vineyard cluster name (DNS subdomain, may hold dots)
 *      |      |       |          +---------------- vineyard cluster namespace (DNS label, no dots)
 *      |      |       +--------------------------- 20 hex digits: SHA-256 of the CreateVolume name
 *      |      +----------------------------------- d: delete the volume's objects on DeleteVolume
 *      +------------------------------------------ format tag
 * </pre>
 *
 * <p>The unique part depends only on the request name, so a repeated CreateVolume with the same
 * name and parameters returns the same id. Namespace and name are validated as Kubernetes names,
 * which also guarantees they are safe single path segments under the socket root. Instances are
 * immutable and thread-safe.
 *
 * @param namespace the vineyard cluster's namespace (a DNS label)
 * @param name the vineyard cluster's name (a DNS subdomain)
 * @param deleteObjects whether DeleteVolume deletes the objects named under the volume
 * @param unique the 20 hex digits derived from the CreateVolume request name
 */
public record VolumeId(String namespace, String name, boolean deleteObjects, String unique) {

  /** StorageClass parameter naming the vineyard cluster's namespace. */
  public static final String NAMESPACE_KEY = "k8s.v6d.io/vineyard/namespace";

  /** StorageClass parameter naming the vineyard cluster (the Vineyardd resource). */
  public static final String NAME_KEY = "k8s.v6d.io/vineyard/name";

  /** StorageClass parameter: {@code "true"} makes DeleteVolume delete the volume's objects. */
  public static final String DELETE_OBJECTS_KEY = "k8s.v6d.io/vineyard/delete-objects";

  /** The CSI specification's limit on a volume id, in bytes. */
  public static final int MAX_LENGTH = 128;

  private static final String TAG = "cellar1";
  private static final int UNIQUE_HEX_DIGITS = 20;
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
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
    VolumeId id = new VolumeId(namespace, name, delete.equals("true"), uniqueOf(requestName));
    if (id.encode().getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
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
    String[] parts = volumeId.split("\\.", 5);
    if (parts.length != 5 || !parts[0].equals(TAG)) {
      return Optional.empty();
    }
    if (!parts[1].equals("k") && !parts[1].equals("d")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new VolumeId(parts[3], parts[4], parts[1].equals("d"), parts[2]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The id as a string.
   *
   * @return {@code cellar1.<k|d>.<unique>.<namespace>.<name>}
   */
  public String encode() {
    return TAG + "." + (deleteObjects ? "d" : "k") + "." + unique + "." + namespace + "." + name;
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
