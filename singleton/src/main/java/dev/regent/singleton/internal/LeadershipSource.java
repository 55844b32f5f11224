package dev.regent.singleton.internal;

import dev.regent.toolkit.election.NodeId;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.LeadershipEvent;
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
}
