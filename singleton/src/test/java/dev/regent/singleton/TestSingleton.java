package dev.regent.singleton;

import dev.regent.toolkit.serialization.RegentSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** The singleton the in-JVM cluster tests run: records its life and what it receives. */
final class TestSingleton {

  private TestSingleton() {}

  /** Messages cross nodes as Jackson CBOR (RegentSerializable), Java serialization off. */
  sealed interface Command extends RegentSerializable {}

  /** Answered with a {@link Pong}. */
  record Ping(String text, ActorRef<Pong> replyTo) implements Command {}

  /** Recorded, not answered. */
  record Note(String text) implements Command {}

  /** The stop message. */
  record Stop() implements Command {}

  record Pong(String text, long token, String node) implements RegentSerializable {}

  static SingletonActor<Command> actor(InstanceRecorder recorder, String name) {
    return SingletonActor.ofFenced(ctx -> behavior(ctx, recorder), name)
        .withStopMessage(new Stop());
  }

  static Behavior<Command> behavior(SingletonContext ctx, InstanceRecorder recorder) {
    String node = ctx.node().name();
    long token = ctx.fencingToken().value();
    int id = recorder.started(node, token);
    return Behaviors.receive(Command.class)
        .onMessage(Ping.class, p -> {
          recorder.received(node, token, p.text());
          p.replyTo().tell(new Pong(p.text(), token, node));
          return Behaviors.same();
        })
        .onMessage(Note.class, n -> {
          recorder.received(node, token, n.text());
          return Behaviors.same();
        })
        .onMessage(Stop.class, s -> Behaviors.stopped())
        .onSignal(PostStop.class, s -> {
          recorder.stopped(id);
          return Behaviors.same();
        })
        .build();
  }
}
