package dev.regent.examples;

import dev.regent.singleton.SingletonContext;
import dev.regent.toolkit.serialization.RegentSerializable;
import java.time.Duration;
import java.util.function.LongConsumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A sample "cron" that must run on one node only: a fenced singleton that runs {@code job} every
 * {@code interval}, passing it the fencing token. It skips a run whose lease is no longer valid;
 * the job passes the token on to whatever it writes, so a stale run is rejected downstream.
 */
public final class LeaderOnlyJob {

  /** The job's protocol: only its own timer, plus a way to stop it. */
  public sealed interface Command extends RegentSerializable {}

  /** The timer fired. */
  public record Run() implements Command {}

  /** Graceful stop (use as the singleton's stop message). */
  public record Stop() implements Command {}

  private LeaderOnlyJob() {}

  public static Behavior<Command> create(SingletonContext context, Duration interval,
                                         LongConsumer job) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Run(), interval);
      long token = context.fencingToken().value();
      return Behaviors.receive(Command.class)
          .onMessage(Run.class, r -> {
            if (context.leaseValid()) {
              job.accept(token);
            }
            return Behaviors.same();
          })
          .onMessage(Stop.class, s -> Behaviors.stopped())
          .build();
    }));
  }
}
