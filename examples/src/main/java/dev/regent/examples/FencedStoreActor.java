package dev.regent.examples;

import dev.regent.toolkit.fencing.FencedStore;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.serialization.RegentSerializable;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A {@link FencedStore} behind an actor, so singletons on other nodes (or other JVMs, in the
 * multi-JVM tests) can write to one store. Messages are {@link RegentSerializable}: they cross
 * remoting as Jackson CBOR with Java serialization off.
 */
public final class FencedStoreActor {

  private FencedStoreActor() {}

  /** What the store actor understands. */
  public sealed interface Command extends RegentSerializable {}

  /** Adds {@code delta} to {@code key} if {@code token} is current; answers {@link Result}. */
  public record Increment(FencingToken token, String key, long delta, ActorRef<Result> replyTo)
      implements Command {}

  /** Sets {@code key} to {@code value} if {@code token} is current; answers {@link Result}. */
  public record Put(FencingToken token, String key, long value, ActorRef<Result> replyTo)
      implements Command {}

  /** Reads {@code key}; answers {@link Result} with {@code accepted = true}. */
  public record Get(String key, ActorRef<Result> replyTo) implements Command {}

  /**
   * The outcome of a command.
   *
   * @param accepted false when the token was stale
   * @param value the value after the command, if the key has one
   */
  public record Result(boolean accepted, Optional<Long> value) implements RegentSerializable {}

  public static Behavior<Command> create(FencedStore store) {
    return Behaviors.receive(Command.class)
        .onMessage(Increment.class, m -> {
          Optional<Long> after = store.increment(m.token(), m.key(), m.delta());
          m.replyTo().tell(new Result(after.isPresent(), after.or(() -> store.get(m.key()))));
          return Behaviors.same();
        })
        .onMessage(Put.class, m -> {
          boolean ok = store.put(m.token(), m.key(), m.value());
          m.replyTo().tell(new Result(ok, store.get(m.key())));
          return Behaviors.same();
        })
        .onMessage(Get.class, m -> {
          m.replyTo().tell(new Result(true, store.get(m.key())));
          return Behaviors.same();
        })
        .build();
  }
}
