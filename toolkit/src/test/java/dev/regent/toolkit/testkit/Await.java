package dev.regent.toolkit.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling: wait for a condition, failing with a description when time runs out. */
public final class Await {

  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private Await() {}

  /** Polls {@code condition} until it holds; throws {@link AssertionError} after {@code timeout}. */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    until(timeout, () -> what, condition);
  }

  public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what.get());
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /**
   * Polls {@code invariant} for the whole of {@code window} (the way to let time pass in a
   * measurement); throws {@link AssertionError} as soon as it does not hold.
   */
  public static void holds(Duration window, String what, BooleanSupplier invariant) {
    long end = System.nanoTime() + window.toNanos();
    while (System.nanoTime() - end < 0) {
      if (!invariant.getAsBoolean()) {
        throw new AssertionError("stopped holding: " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }
}
