package io.cellar.server.warmup;

import io.cellar.posix.ProcessCalls;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms up a starting daemon where no client can see it: before the real socket exists, a {@link
 * ThrowawayServer} (a small store on a private socket in a private temporary directory) serves a
 * {@link WarmupScript} played through Cellar's own Java client; then the throwaway server and store
 * are closed. So the JVM's first pass through the request paths (class loading and linking of the
 * channel pipeline, the JSON codec, every command family, the fd passing downcalls) and the JIT's
 * compilation of them happen before the first real client, and no warm-up object, name, blob or
 * connection is ever seen on the real store. The code compiled stays compiled: the real server runs
 * the same classes.
 *
 * <p>The script's first round always runs; further rounds start only until {@link #ROUNDS_UNTIL}
 * after the process was launched, so the socket still appears about a second after launch on a
 * machine that is not overloaded (the performance budget), and a loaded machine does fewer rounds
 * rather than starting late.
 *
 * <p>It runs on a thread of its own at nice {@link ProcessCalls#BACKGROUND_NICE}, and the throwaway
 * server's threads, started from there, inherit that: a starting daemon's warm-up gives way to the
 * work already running on the node (a pipeline step beside it). The JIT's compiler threads keep
 * their priority until {@link #continueInBackground}, which the daemon calls once it listens.
 *
 * <p>One line is logged at info level when it ends ("warm-up done in N ms"). A failure is logged at
 * warn level and otherwise ignored: the daemon then starts without the warm-up. A run that exceeds
 * {@link #DEADLINE} is stopped by closing the throwaway server.
 *
 * <p>Thread-safe: {@link #run} may be called from any thread; it blocks until the warm-up and its
 * clean-up are over, and leaves no thread, socket, file or shared memory behind.
 */
public final class StartupWarmup {
  /** The longest a warm-up may take before it is stopped. */
  public static final Duration DEADLINE = Duration.ofSeconds(30);

  /** How long after the process's launch warm-up rounds after the first may still start. */
  public static final Duration ROUNDS_UNTIL = Duration.ofMillis(750);

  private static final Logger LOG = LoggerFactory.getLogger(StartupWarmup.class);

  private StartupWarmup() {}

  /**
   * Runs the daemon's warm-up.
   *
   * @param rpc whether the daemon will serve TCP (then the RPC paths are warmed too)
   * @return true when the script ran to its end
   */
  public static boolean run(boolean rpc) {
    return run(rpc, WarmupScript.Plan.DEFAULT, roundsDeadline(ROUNDS_UNTIL));
  }

  /** How long after the socket appears further warm-up rounds may start in the background. */
  public static final Duration BACKGROUND_FOR = Duration.ofSeconds(4);

  /**
   * Plays more warm-up rounds on a new throwaway server after the daemon listens, on a daemon
   * thread at nice {@link ProcessCalls#BACKGROUND_NICE}, for the JIT: the one round before the
   * socket loads and links the request paths, but leaves them interpreted, and a Python step makes
   * only tens of requests, so without this a daemon would answer its first thousand requests
   * (get_data, get_buffers, create_buffer...) from the interpreter, several times slower than
   * compiled. From then on the JIT's compiler threads run at the same nice value ({@link
   * CompilerThreads}): the compilations this warm-up (and later traffic) asks for take the CPU that
   * the node's other work leaves.
   *
   * @param rpc whether to warm the RPC paths too
   * @return the thread, already started; it ends by itself
   */
  public static Thread continueInBackground(boolean rpc) {
    return continueInBackground(
        rpc, WarmupScript.Plan.BACKGROUND, BACKGROUND_FOR, new CompletableFuture<>());
  }

  /**
   * {@link #continueInBackground(boolean)} with a given size.
   *
   * @param rpc whether to warm the RPC paths too
   * @param plan how much the script does
   * @param roundsFor how long after the call further rounds may start
   * @param operations completed with the client operations played, or -1 when it failed
   * @return the thread, already started
   */
  static Thread continueInBackground(
      boolean rpc,
      WarmupScript.Plan plan,
      Duration roundsFor,
      CompletableFuture<Integer> operations) {
    int reniced = CompilerThreads.renice(ProcessCalls.BACKGROUND_NICE);
    LOG.debug("{} JIT compiler threads at nice {}", reniced, ProcessCalls.BACKGROUND_NICE);
    long deadline = System.nanoTime() + roundsFor.toNanos();
    return startAtBackgroundNice(
        Thread.ofPlatform().name("cellar-warmup-background").daemon(),
        () -> operations.complete(runHere(rpc, plan, deadline, true)));
  }

  /**
   * Starts a warm-up thread that first lowers its own priority to {@link
   * ProcessCalls#BACKGROUND_NICE}; the threads it starts inherit that.
   */
  private static Thread startAtBackgroundNice(Thread.Builder builder, Runnable body) {
    return builder.start(
        () -> {
          if (!ProcessCalls.setThreadNice(ProcessCalls.BACKGROUND_NICE)) {
            LOG.debug("{} keeps its priority (setpriority refused)", Thread.currentThread());
          }
          body.run();
        });
  }

  /**
   * Runs a warm-up of a given size.
   *
   * @param rpc whether to warm the RPC paths too
   * @param plan how much the script does
   * @param roundsDeadline {@link System#nanoTime()} after which no further round starts
   * @return true when the script ran to its end
   */
  static boolean run(boolean rpc, WarmupScript.Plan plan, long roundsDeadline) {
    // on a thread of its own at a background priority: the throwaway server's threads, started
    // from it, inherit that, so the warm-up gives way to whatever else runs on the node
    boolean[] result = new boolean[1];
    Thread warmup =
        startAtBackgroundNice(
            Thread.ofPlatform().name("cellar-warmup-main"),
            () -> result[0] = runHere(rpc, plan, roundsDeadline, false) >= 0);
    boolean interrupted = false;
    while (true) {
      try {
        warmup.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return result[0];
  }

  /**
   * Plays the script on a new throwaway server.
   *
   * @param background whether the daemon already listens: then an early end (a daemon stopping
   *     under it) is logged at info level, as nothing is lost but compilation
   * @return the client operations played, or -1 when it failed
   */
  private static int runHere(
      boolean rpc, WarmupScript.Plan plan, long roundsDeadline, boolean background) {
    long started = System.nanoTime();
    ThrowawayServer server;
    try {
      server = ThrowawayServer.start(rpc);
    } catch (IOException | RuntimeException e) {
      if (background && e instanceof ThrowawayServer.ShuttingDownException) {
        LOG.info("background warm-up not started: the daemon is shutting down");
      } else if (background) {
        LOG.info("background warm-up skipped, no throwaway server: {}", e.toString());
      } else {
        LOG.warn("warm-up skipped, cannot start its throwaway server: {}", e.toString());
      }
      return -1;
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    int[] operations = new int[1];
    Thread player =
        Thread.ofPlatform()
            .name("cellar-warmup")
            .start(
                () -> {
                  try {
                    operations[0] =
                        WarmupScript.play(server.socket(), server.rpcPort(), plan, roundsDeadline);
                  } catch (IOException | RuntimeException e) {
                    failure.set(e);
                  }
                });
    boolean finished = join(player, DEADLINE);
    boolean clean = closeQuietly(server, background); // also ends a script still running
    if (!finished) {
      join(player, Duration.ofSeconds(5));
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    if (background) {
      if (finished && failure.get() == null) {
        LOG.info(
            "background warm-up done in {} ms ({} client operations on a throwaway store)",
            millis,
            operations[0]);
        return operations[0];
      }
      if (server.closedByShutdown()) {
        // the shutdown hook closed the throwaway server under the script: nothing to report
        LOG.info("background warm-up cut short after {} ms: the daemon is shutting down", millis);
        return -1;
      }
      LOG.info(
          "background warm-up ended early after {} ms: {}",
          millis,
          finished ? failure.get() : "over " + DEADLINE + (clean ? "" : ", store not clean"));
      return -1;
    }
    if (!finished) {
      LOG.warn("warm-up stopped after {} ms (over {}); starting without it", millis, DEADLINE);
      return -1;
    }
    if (failure.get() != null) {
      LOG.warn("warm-up failed after {} ms, starting without it: {}", millis, failure.get());
      return -1;
    }
    LOG.info(
        "warm-up done in {} ms ({} client operations on a throwaway store)", millis, operations[0]);
    return operations[0];
  }

  /**
   * Closes the throwaway server and store. Whatever the store's leak check finds (a connection of
   * the script whose close the server had not handled yet: seen once on a loaded machine, "1 owner
   * still open") is logged at warn level, not thrown: everything is released all the same, and a
   * warm-up must never stop the daemon from starting.
   *
   * @param server the throwaway server
   * @return true when the store closed with nothing outstanding
   */
  static boolean closeQuietly(ThrowawayServer server) {
    return closeQuietly(server, false);
  }

  private static boolean closeQuietly(ThrowawayServer server, boolean background) {
    try {
      server.close();
      return true;
    } catch (IllegalStateException e) {
      if (background) {
        LOG.info("background warm-up's throwaway {}", e.getMessage());
      } else {
        LOG.warn("warm-up's throwaway {}; starting all the same", e.getMessage());
      }
      return false;
    }
  }

  /** The {@link System#nanoTime()} at {@code sinceLaunch} after this process started. */
  private static long roundsDeadline(Duration sinceLaunch) {
    long now = System.nanoTime();
    Instant launched = ProcessHandle.current().info().startInstant().orElse(null);
    if (launched == null) {
      return now + sinceLaunch.toNanos() / 2;
    }
    Duration left = Duration.between(Instant.now(), launched.plus(sinceLaunch));
    return now + left.toNanos();
  }

  private static boolean join(Thread t, Duration limit) {
    try {
      return t.join(limit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
