package dev.regent.multijvm.harness;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded polling: the only way the harness and its tests wait (no bare sleeps in tests). Polls
 * every 100 ms until the condition holds or the timeout passes, then fails with the description and
 * the last exception the condition threw.
 */
public final class Await {

  private Await() {}

  /** Waits until {@code condition} is true; throws {@link AssertionError} on timeout. */
  public static void condition(String description, Duration timeout, BooleanSupplier condition) {
    value(description, timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  /**
   * A bounded observation window: polls {@code invariant} every 100 ms for {@code window} and
   * throws {@link AssertionError} at the first poll where it is false (or throws). Returns how many
   * polls saw it hold (at least one). Measures the window by polling, so a test never sleeps.
   */
  public static int holds(String description, Duration window, BooleanSupplier invariant) {
    long end = System.nanoTime() + window.toNanos();
    int polls = 0;
    while (true) {
      boolean ok;
      try {
        ok = invariant.getAsBoolean();
      } catch (RuntimeException e) {
        throw new AssertionError("broken after " + polls + " poll(s) of " + window.toMillis()
            + " ms: " + description + " (" + e + ")", e);
      }
      if (!ok) {
        throw new AssertionError("broken after " + polls + " poll(s) of " + window.toMillis()
            + " ms: " + description);
      }
      polls++;
      if (System.nanoTime() - end >= 0) {
        return polls;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(Math.min(100,
            Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while checking: " + description, e);
      }
    }
  }

  /**
   * Waits until {@code supplier} returns a non-null value and returns it; exceptions it throws
   * count as "not yet". Throws {@link AssertionError} on timeout.
   */
  public static <T> T value(String description, Duration timeout, Supplier<T> supplier) {
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
            + description + (last == null ? "" : " (last attempt failed: " + last + ")"));
        if (last != null) {
          err.initCause(last);
        }
        throw err;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + description, e);
      }
    }
  }
}
