package dev.regent.toolkit.internal.config;

import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/**
 * How the election actor is restarted after a failure: after a random delay between {@code min}
 * and {@code max}, growing after repeated failures, plus up to {@code randomFactor} of it extra
 * (so nodes that fail together do not restart in lock-step).
 */
public record RestartBackoff(Duration min, Duration max, double randomFactor) {

  public static final RestartBackoff DEFAULT =
      new RestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);

  /** Same rules as Pekko's back-off supervision, checked here so errors name Regent's keys. */
  public RestartBackoff {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative() || min.isZero()) {
      throw new IllegalArgumentException("min must be positive, was " + min);
    }
    if (max.compareTo(min) < 0) {
      throw new IllegalArgumentException("max (" + max + ") must be at least min (" + min + ")");
    }
    if (!(randomFactor >= 0 && randomFactor <= 1)) {
      throw new IllegalArgumentException("random-factor must be in [0, 1], was " + randomFactor);
    }
  }

  /** The Pekko supervisor strategy for these settings. */
  public BackoffSupervisorStrategy toSupervisorStrategy() {
    return SupervisorStrategy.restartWithBackoff(min, max, randomFactor);
  }
}
