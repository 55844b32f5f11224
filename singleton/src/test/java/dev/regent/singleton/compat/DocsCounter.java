package dev.regent.singleton.compat;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The counter of Pekko's typed cluster singleton documentation (Java), in functional style. It
 * uses no singleton API, so {@link PekkoDocsExample} and {@link RegentDocsExample} share it.
 */
public final class DocsCounter {

  private DocsCounter() {}

  public interface Command {}

  public enum Increment implements Command {
    INSTANCE
  }

  public record GetValue(ActorRef<Integer> replyTo) implements Command {}

  public enum GoodByeCounter implements Command {
    INSTANCE
  }

  public static Behavior<Command> create() {
    return counter(0);
  }

  private static Behavior<Command> counter(int value) {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Increment.INSTANCE, () -> counter(value + 1))
        .onMessage(GetValue.class, get -> {
          get.replyTo().tell(value);
          return Behaviors.same();
        })
        .onMessageEquals(GoodByeCounter.INSTANCE, Behaviors::stopped)
        .build();
  }
}
