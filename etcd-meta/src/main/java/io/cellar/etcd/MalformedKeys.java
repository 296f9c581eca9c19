package io.cellar.etcd;

import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports keys under the prefix that the backend cannot use (garbage JSON, a truncated object, a
 * key of no known shape, an unparsable instance id): each key once at WARN, repeats at DEBUG, so a
 * bad key never floods the log and never stops the watch.
 *
 * <p>Thread-safe.
 */
final class MalformedKeys {
  private static final Logger LOG = LoggerFactory.getLogger(MalformedKeys.class);
  private static final int REMEMBERED = 10_000;

  private final Set<String> reported = new LinkedHashSet<>();
  private long count;

  /**
   * Reports a key.
   *
   * @param key the whole key
   * @param why what is wrong
   */
  void report(String key, String why) {
    boolean first;
    synchronized (this) {
      count++;
      first = reported.add(key);
      if (reported.size() > REMEMBERED) {
        reported.remove(reported.iterator().next());
      }
    }
    if (first) {
      LOG.warn("skipping etcd key {}: {}", key, why);
    } else {
      LOG.debug("skipping etcd key {} again: {}", key, why);
    }
  }

  /**
   * How many reports so far (repeats included).
   *
   * @return the count
   */
  synchronized long count() {
    return count;
  }
}
