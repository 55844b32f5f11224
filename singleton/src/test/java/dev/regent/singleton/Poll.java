package dev.regent.singleton;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling: waits for a condition, never for a fixed time. */
final class Poll {

  private static final long STEP_NANOS = Duration.ofMillis(2).toNanos();

  private Poll() {}

  /**
   * Polls {@code condition} every 2 ms until it holds; fails with {@code what} (and how long it
   * waited) after {@code timeout}.
   *
   * @return the {@link System#nanoTime()} at which the condition was first seen to hold
   */
  static long until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return System.nanoTime();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: "
            + what);
      }
      LockSupport.parkNanos(STEP_NANOS);
    }
  }

  /** Like {@link #until} with a message computed when it fails (e.g. current state). */
  static long until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
    try {
      return until(timeout, "", condition);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + what.get(), e);
    }
  }
}
