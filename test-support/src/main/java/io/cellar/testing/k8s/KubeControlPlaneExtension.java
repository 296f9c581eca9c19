package io.cellar.testing.k8s;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Runs one {@link KubeControlPlane} for a test class and shows its logs when a test fails. Register
 * it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KubeControlPlaneExtension K8S =
 *     new KubeControlPlaneExtension(KubeControlPlane.builder().nodes(3));
 *
 * @Test
 * void deploys() {
 *   K8S.plane().kubectl().apply(manifest);
 * }
 * }</pre>
 *
 * <p>The plane starts before the class's {@code @BeforeAll} methods and is closed after its
 * {@code @AfterAll} methods. When a test (or a lifecycle method) throws, the last {@value
 * #TAIL_LINES} lines of every component's log are printed to the test's stderr and attached to the
 * failure as a suppressed exception, so they appear in the report next to the assertion. A failed
 * start already carries the tails in its message.
 *
 * <p>Thread safety: JUnit calls the callbacks from one thread per class; {@link #plane()} is safe
 * from any thread once the class has started.
 */
public final class KubeControlPlaneExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {
  /** Lines of each log attached to a failure. */
  public static final int TAIL_LINES = 60;

  private final KubeControlPlane.Builder builder;
  private volatile KubeControlPlane plane;
  private volatile String startedBy;

  /**
   * An extension that starts a plane as {@code builder} says.
   *
   * @param builder the plane's settings
   */
  public KubeControlPlaneExtension(KubeControlPlane.Builder builder) {
    this.builder = builder;
  }

  /**
   * The running plane.
   *
   * @return the plane
   * @throws IllegalStateException outside the class's lifetime (or on a non-static field)
   */
  public KubeControlPlane plane() {
    KubeControlPlane current = plane;
    if (current == null) {
      throw new IllegalStateException(
          "no control plane: register KubeControlPlaneExtension on a static field");
    }
    return current;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (plane == null) {
      plane = builder.start();
      startedBy = context.getUniqueId();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    KubeControlPlane current = plane;
    // nested classes share the outer class's plane; the class that started it closes it
    if (current != null && context.getUniqueId().equals(startedBy)) {
      plane = null;
      current.close();
    }
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withLogs(context, failure);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withLogs(context, failure);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withLogs(context, failure);
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withLogs(context, failure);
  }

  @Override
  public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withLogs(context, failure);
  }

  private Throwable withLogs(ExtensionContext context, Throwable failure) {
    KubeControlPlane current = plane;
    if (current != null) {
      String tails = current.logTails(TAIL_LINES);
      System.err.println(
          "cellar k8s: " + context.getDisplayName() + " failed; control-plane logs:\n" + tails);
      failure.addSuppressed(new ControlPlaneLogs(tails));
    }
    return failure;
  }

  /** The tails of the control plane's logs, attached to a failure. Carries no stack trace. */
  static final class ControlPlaneLogs extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ControlPlaneLogs(String tails) {
      super(
          "control-plane logs (last " + TAIL_LINES + " lines each):\n" + tails, null, false, false);
    }
  }
}
