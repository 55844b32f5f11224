package dev.regent.toolkit.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded polling, the only way tests wait (no bare sleeps): wait for a condition or a value,
 * failing with a description when time runs out, or watch an invariant for a window.
 *
 * <p>In-JVM checks poll every 10 ms ({@link #POLL}); checks that ask another process (the
 * multi-JVM harness's control channel) pass a coarser interval.
 */
public final class Await {

  /** The default poll interval. */
  public static final Duration POLL = Duration.ofMillis(10);

  private Await() {}

  /**
   * Polls {@code condition} until it holds; throws {@link AssertionError} after {@code timeout}.
   * An exception the condition throws fails at once.
   */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    until(timeout, () -> what, condition);
  }

  public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what.get());
      }
      pause(POLL.toNanos(), what);
    }
  }

  /**
   * Like {@link #until(Duration, String, BooleanSupplier)}, polling every {@code every}, but an
   * exception the condition throws counts as "not yet" (and is reported on timeout).
   */
  public static void eventually(Duration timeout, Duration every, String what,
      BooleanSupplier condition) {
    value(timeout, every, what, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  /**
   * Polls {@code supplier} every {@code every} until it returns a non-null value and returns it;
   * exceptions it throws count as "not yet". Throws {@link AssertionError} after {@code timeout},
   * with the last exception as its cause.
   */
  public static <T> T value(Duration timeout, Duration every, String what, Supplier<T> supplier) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        T v = supplier.get();
        if (v != null) {
          return v;
        }
        last = null;
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        var err = new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: "
            + what + (last == null ? "" : " (last attempt failed: " + last + ")"));
        if (last != null) {
          err.initCause(last);
        }
        throw err;
      }
      pause(every.toNanos(), () -> what);
    }
  }

  /**
   * Polls {@code invariant} for the whole of {@code window} (the way to let time pass in a
   * measurement); throws {@link AssertionError} as soon as it does not hold.
   */
  public static int holds(Duration window, String what, BooleanSupplier invariant) {
    return holds(window, POLL, what, invariant);
  }

  /**
   * Polls {@code invariant} every {@code every} for {@code window}, at least once; throws {@link
   * AssertionError} at the first poll where it is false or throws. Returns how many polls saw it
   * hold.
   */
  public static int holds(Duration window, Duration every, String what,
      BooleanSupplier invariant) {
    long end = System.nanoTime() + window.toNanos();
    int polls = 0;
    while (true) {
      boolean ok;
      try {
        ok = invariant.getAsBoolean();
      } catch (RuntimeException e) {
        throw new AssertionError("stopped holding after " + polls + " poll(s) of "
            + window.toMillis() + " ms: " + what + " (" + e + ")", e);
      }
      if (!ok) {
        throw new AssertionError("stopped holding after " + polls + " poll(s) of "
            + window.toMillis() + " ms: " + what);
      }
      polls++;
      long left = end - System.nanoTime();
      if (left <= 0) {
        return polls;
      }
      pause(Math.min(every.toNanos(), left), () -> what);
    }
  }

  private static void pause(long nanos, Supplier<String> what) {
    try {
      TimeUnit.NANOSECONDS.sleep(Math.max(1, nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for: " + what.get(), e);
    }
  }
}
