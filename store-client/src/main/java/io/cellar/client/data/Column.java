package io.cellar.client.data;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One column of a {@link DataFrame}: a numeric {@link Tensor} or a {@link StringArray}, stored as
 * Python stores a pandas column ({@code vineyard::Tensor<T>}, or {@code
 * vineyard::Tensor<std::string>} over an Arrow large-string array).
 *
 * <p>Implementations are immutable and thread-safe.
 */
public sealed interface Column permits Tensor, StringArray {
  /**
   * The number of rows.
   *
   * @return the first dimension
   */
  long length();

  /**
   * The stored object's metadata.
   *
   * @return the tree, or null for a value not stored yet
   */
  ObjectNode metadata();
}
