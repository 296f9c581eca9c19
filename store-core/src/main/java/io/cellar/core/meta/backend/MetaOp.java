package io.cellar.core.meta.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One change to the shared metadata, as committed by an instance and as delivered to the others.
 * The logical keys are the reference's ({@code reference/vineyard-k8s.md} §4.2); a backend maps
 * each to its own storage (etcd: {@code <prefix>/S<session>/data/o…}, {@code /names/…}, {@code
 * /signatures/i<N>/s…}).
 *
 * <p>Immutable; the JSON of a {@link PutObject} is owned by the op and must not be changed after
 * construction.
 */
public sealed interface MetaOp {
  /**
   * A persisted object, in the reference's persisted encoding: one JSON object without {@code id},
   * {@code transient} false, string values prefixed {@code v}, members as link strings {@code
   * l<o-id>.<typename up to '<'>} and blob members as {@code l<o-id>.vineyard::Blob@<instance id>}.
   *
   * @param id the object id
   * @param persisted the encoded object
   */
  record PutObject(long id, ObjectNode persisted) implements MetaOp {}

  /**
   * A persisted object removed.
   *
   * @param id the object id
   */
  record DeleteObject(long id) implements MetaOp {}

  /**
   * A name bound to an object (replacing an earlier binding).
   *
   * @param name the name, as the client gave it
   * @param id the object id
   */
  record PutName(String name, long id) implements MetaOp {}

  /**
   * A name removed.
   *
   * @param name the name
   */
  record DropName(String name) implements MetaOp {}

  /**
   * The object that carries a signature on an instance.
   *
   * @param instanceId the instance
   * @param signature the signature
   * @param id the object id
   */
  record PutSignature(long instanceId, long signature, long id) implements MetaOp {}
}
