package dev.regent.toolkit.internal.shell;

import dev.regent.toolkit.leadership.LeadershipEvent.BecameLeader;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderKnown;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderLost;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaseRenewed;
import dev.regent.toolkit.leadership.LeadershipEvent.SteppedDown;
import dev.regent.toolkit.leadership.LeadershipEvent;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Fans leadership events out to subscribers. Never restarts (it cannot fail), so the subscriber set
 * survives restarts of the election actor, which publishes here. A new subscriber first gets the
 * current state (the known leader, then this node's lease if it holds one) and then every later
 * event, in order: both go through this one actor's mailbox.
 *
 * <p>Internal API.
 */
public final class LeadershipPublisher {

  /** What the publisher accepts. */
  public sealed interface Command permits Subscribe, Unsubscribe, Publish {}

  /** Adds a subscriber (idempotent). */
  public record Subscribe(ActorRef<LeadershipEvent> subscriber) implements Command {}

  /** Removes a subscriber (idempotent). */
  public record Unsubscribe(ActorRef<LeadershipEvent> subscriber) implements Command {}

  /** Hands {@code event} to every subscriber (published by the election actor). */
  public record Publish(LeadershipEvent event) implements Command {}

  private LeadershipPublisher() {}

  static Behavior<Command> create() {
    return Behaviors.setup(ctx -> {
      Set<ActorRef<LeadershipEvent>> subscribers = new LinkedHashSet<>();
      // The current state, replayed to new subscribers.
      var current = new Object() {
        LeaderKnown leader;
        BecameLeader lease;
      };
      return Behaviors.receive(Command.class)
          .onMessage(Subscribe.class, s -> {
            if (subscribers.add(s.subscriber())) {
              ctx.watch(s.subscriber());
              if (current.leader != null) {
                s.subscriber().tell(current.leader);
              }
              if (current.lease != null) {
                s.subscriber().tell(current.lease);
              }
            }
            return Behaviors.same();
          })
          .onMessage(Unsubscribe.class, u -> {
            if (subscribers.remove(u.subscriber())) {
              ctx.unwatch(u.subscriber());
            }
            return Behaviors.same();
          })
          .onMessage(Publish.class, p -> {
            LeadershipEvent e = p.event();
            if (e instanceof LeaderKnown k) {
              current.leader = k;
            } else if (e instanceof LeaderLost) {
              current.leader = null;
            } else if (e instanceof BecameLeader b) {
              current.lease = b;
            } else if (e instanceof LeaseRenewed r && current.lease != null) {
              current.lease = new BecameLeader(r.term(), r.leaseDeadlineNanos());
            } else if (e instanceof SteppedDown) {
              current.lease = null;
            }
            for (ActorRef<LeadershipEvent> s : subscribers) {
              s.tell(e);
            }
            return Behaviors.same();
          })
          .onSignal(Terminated.class, t -> {
            subscribers.removeIf(s -> s.equals(t.getRef()));
            return Behaviors.same();
          })
          .build();
    });
  }
}
