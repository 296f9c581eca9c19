package io.cellar.core;

import io.cellar.core.config.StoreConfig;
import io.cellar.core.meta.backend.InstanceFacts;
import io.cellar.core.meta.backend.MetaBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Opens stores for a test and closes every one of them after it as a leak check: a store left with
 * owners open or blobs held fails the test with the store's report (owners, blobs, their holders),
 * the way Apache Arrow's allocator fails a test that leaks a buffer. A test may close a store
 * itself; closing is idempotent, and a leak then fails the test at that close.
 *
 * <p>Register it per test class: {@code @RegisterExtension final StoreLeakCheck stores = new
 * StoreLeakCheck();}. Not thread-safe: open stores from the test thread.
 */
final class StoreLeakCheck implements AfterEachCallback {
  private final List<Store> opened = new ArrayList<>();

  /** Opens a store with local metadata, closed after the test. */
  Store open(StoreConfig config) {
    Store store = Store.open(config);
    opened.add(store);
    return store;
  }

  /** Opens a store on a backend, closed after the test. */
  Store open(StoreConfig config, MetaBackend backend, InstanceFacts facts) {
    Store store = Store.open(config, backend, facts);
    opened.add(store);
    return store;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<String> leaks = new ArrayList<>();
    for (Store store : opened) {
      StoreReport report = store.closeAndReport();
      if (!report.isClean()) {
        leaks.add("instance " + store.instanceId() + ":\n" + report);
      }
    }
    opened.clear();
    if (!leaks.isEmpty()) {
      throw new AssertionError("stores leaked:\n" + String.join("\n", leaks));
    }
  }
}
