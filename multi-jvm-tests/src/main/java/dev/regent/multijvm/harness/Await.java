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
