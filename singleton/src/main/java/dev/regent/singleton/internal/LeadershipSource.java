package dev.regent.singleton.internal;

import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.leadership.NodeId;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Internal API: the part of the election the singleton needs. In production it is
 * {@code RegentElection}; tests drive the manager and proxy with a fake.
 *
 * <p>Contract (as RegentElection's): a new subscriber first gets the current state
 * ({@code LeaderKnown} and/or {@code BecameLeader}), then live events, in order.
 */
public interface LeadershipSource {

  NodeId selfId();

  void subscribe(ActorRef<LeadershipEvent> subscriber);

  void unsubscribe(ActorRef<LeadershipEvent> subscriber);

  /** A snapshot, readable from any thread. */
  Leadership current();

  /**
   * Work that must finish before this node hands its leadership over, for any reason (stopping
   * the instance); a source without hand-overs ignores it.
   */
  default void addHandOverTask(String name, Supplier<CompletionStage<Done>> task) {}
}
