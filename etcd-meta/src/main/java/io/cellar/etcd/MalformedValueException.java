package io.cellar.etcd;

/** A value under the prefix that is not what its key's shape demands; logged and skipped. */
final class MalformedValueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  MalformedValueException(String message) {
    super(message, null, false, false);
  }
}
