package dev.regent.singleton;

import dev.regent.singleton.internal.LeadershipSource;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.leadership.NodeId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.ActorRef;

/** A leadership source a test scripts event by event; {@link #current} follows the events. */
final class ScriptedSource implements LeadershipSource {

  private final NodeId self;
  private final List<ActorRef<LeadershipEvent>> subscribers = new CopyOnWriteArrayList<>();
  private volatile Leadership current;

  ScriptedSource(NodeId self) {
    this.self = self;
    this.current = new Leadership(self, 0, Optional.empty(), Optional.empty(), false, 0);
  }

  @Override
  public NodeId selfId() {
    return self;
  }

  @Override
  public void subscribe(ActorRef<LeadershipEvent> subscriber) {
    subscribers.add(subscriber);
  }

  @Override
  public void unsubscribe(ActorRef<LeadershipEvent> subscriber) {
    subscribers.remove(subscriber);
  }

  @Override
  public Leadership current() {
    return current;
  }

  int subscriberCount() {
    return subscribers.size();
  }

  /** Changes the snapshot without an event (the election is ahead of its event stream). */
  void setCurrent(Leadership leadership) {
    current = leadership;
  }

  /**
   * A lying election, for tests that need a manager to misbehave: {@link #current} follows
   * {@code truth}, subscribers are told {@code told} instead.
   */
  void emitLie(LeadershipEvent truth, LeadershipEvent told) {
    List<ActorRef<LeadershipEvent>> real = List.copyOf(subscribers);
    subscribers.clear();
    try {
      emit(truth);
    } finally {
      subscribers.addAll(real);
    }
    subscribers.forEach(s -> s.tell(told));
  }

  void emit(LeadershipEvent event) {
    Leadership c = current;
    if (event instanceof LeadershipEvent.BecameLeader e) {
      current = new Leadership(self, e.term(), Optional.of(self), Optional.empty(), true,
          e.leaseDeadlineNanos());
    } else if (event instanceof LeadershipEvent.LeaseRenewed e) {
      current = new Leadership(self, e.term(), Optional.of(self), Optional.empty(), true,
          e.leaseDeadlineNanos());
    } else if (event instanceof LeadershipEvent.LeaderKnown e) {
      current = new Leadership(self, e.term(), Optional.of(e.leader()), Optional.of(e.address()),
          c.isLeader() && e.leader().equals(self), c.leaseDeadlineNanos());
    } else {
      current = new Leadership(self, c.term(), Optional.empty(), Optional.empty(), false, 0);
    }
    subscribers.forEach(s -> s.tell(event));
  }
}
