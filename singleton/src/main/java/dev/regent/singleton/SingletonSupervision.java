package dev.regent.singleton;

import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * What the singleton manager does when the singleton's behavior throws. Either way the fencing
 * token stays the same: a restart is the same incarnation on the same lease.
 */
public sealed interface SingletonSupervision {

  /** Wraps the user's behavior accordingly. */
  <M> Behavior<M> supervise(Behavior<M> behavior);

  /** Restart after a back-off between {@code min} and {@code max}, plus up to {@code randomFactor}. */
  record RestartWithBackoff(Duration min, Duration max, double randomFactor)
      implements SingletonSupervision {
    public RestartWithBackoff {
      Objects.requireNonNull(min, "min");
      Objects.requireNonNull(max, "max");
      if (min.isNegative() || min.isZero()) {
        throw new IllegalArgumentException("min-backoff must be positive, was " + min);
      }
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "max-backoff (" + max + ") must be at least min-backoff (" + min + ")");
      }
      if (!(randomFactor >= 0 && randomFactor <= 1)) {
        throw new IllegalArgumentException("random-factor must be in [0, 1], was " + randomFactor);
      }
    }

    @Override
    public <M> Behavior<M> supervise(Behavior<M> behavior) {
      return Behaviors.supervise(behavior)
          .onFailure(SupervisorStrategy.restartWithBackoff(min, max, randomFactor));
    }
  }

  /** Do not restart: the failed singleton stops, as in Pekko's typed ClusterSingleton. */
  record Stop() implements SingletonSupervision {
    @Override
    public <M> Behavior<M> supervise(Behavior<M> behavior) {
      return behavior;
    }
  }
}
