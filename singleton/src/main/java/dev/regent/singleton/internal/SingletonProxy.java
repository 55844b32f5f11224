package dev.regent.singleton.internal;

import dev.regent.singleton.ClusterSingletonSettings;
import dev.regent.toolkit.leadership.LeadershipEvent.BecameLeader;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderKnown;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderLost;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaseRenewed;
import dev.regent.toolkit.leadership.LeadershipEvent.SteppedDown;
import dev.regent.toolkit.logging.RateLimitedLog;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Internal API: the proxy of one named singleton on one node. Forwards every message to the
 * manager on the node this node believes leads (the manager passes it to the instance, or holds it
 * until the instance runs), and buffers while no leader is known.
 *
 * <p>The leader comes from this node's own election view, which follows the leader's heartbeats:
 * as soon as this node stops hearing the leader ({@code LeaderLost}) the proxy stops forwarding
 * and buffers, rather than sending into a crashed node until the cluster removes it (Pekko's
 * behaviour). Delivery is at most once: messages already sent to a leader that then fails are lost.
 * The buffer holds at most {@code buffer-size} messages; beyond that the oldest goes to dead
 * letters, with a warning and a count in {@link StatsCounters}.
 */
public final class SingletonProxy extends AbstractBehavior<Object> {

  /** At most one warning per 10 s while the buffer overflows; the counter has the total. */
  private RateLimitedLog dropLog;
  private final String name;
  private final LeadershipSource source;
  private final StatsCounters stats;
  private final int bufferSize;
  private final BoundedBuffer<Object> buffer;
  private final Address selfAddress;

  private Optional<ActorRef<Object>> target = Optional.empty();

  public static Behavior<Object> create(String name, ClusterSingletonSettings settings,
      LeadershipSource source, StatsCounters stats) {
    return Behaviors.setup(ctx -> new SingletonProxy(ctx, name, settings, source, stats));
  }

  private SingletonProxy(ActorContext<Object> ctx, String name, ClusterSingletonSettings settings,
      LeadershipSource source, StatsCounters stats) {
    super(ctx);
    this.name = name;
    this.source = source;
    this.stats = stats;
    this.bufferSize = settings.bufferSize();
    this.buffer = new BoundedBuffer<>(bufferSize);
    this.selfAddress = ctx.getSystem().address();
    source.subscribe(ctx.getSelf().narrow());
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(LeaderKnown.class, e -> routeTo(e.address()))
        .onMessage(BecameLeader.class, e -> routeTo(selfAddress))
        .onMessage(LeaseRenewed.class, e -> this)
        .onMessage(LeaderLost.class, e -> unroute())
        .onMessage(SteppedDown.class, e -> unroute())
        .onSignal(PostStop.class, s -> {
          source.unsubscribe(getContext().getSelf().narrow());
          return this;
        })
        .onAnyMessage(this::onUserMessage)
        .build();
  }

  private Behavior<Object> routeTo(Address leader) {
    ActorRef<Object> manager = SingletonPaths.manager(getContext().getSystem(), leader, name);
    target = Optional.of(manager);
    if (!buffer.isEmpty()) {
      getContext().getLog().debug("Singleton proxy [{}] delivering {} buffered messages to {}",
          name, buffer.size(), leader);
      buffer.drainTo(manager::tell);
      stats.proxyBuffered.set(0);
    }
    return this;
  }

  private Behavior<Object> unroute() {
    target = Optional.empty();
    return this;
  }

  private Behavior<Object> onUserMessage(Object message) {
    if (target.isPresent()) {
      target.get().tell(message);
    } else {
      buffer.add(message).ifPresent(this::dropped);
      stats.proxyBuffered.set(buffer.size());
    }
    return this;
  }

  private void dropped(Object message) {
    stats.proxyDropped();
    if (dropLog == null) {
      dropLog = new RateLimitedLog(getContext().getLog(), TimeUnit.SECONDS.toNanos(10));
    }
    dropLog.warn("full",
        "Singleton proxy [{}] buffer is full ({} messages) while no leader is known: dropping the"
            + " oldest, a [{}] ({} dropped so far)", name, bufferSize,
        message.getClass().getName(), stats.proxyDropped.get());
    getContext().getSystem().deadLetters().tell(message);
  }
}
