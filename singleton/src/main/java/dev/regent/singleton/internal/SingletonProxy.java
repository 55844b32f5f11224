package dev.regent.singleton.internal;

import dev.regent.singleton.ClusterSingletonSettings;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.leadership.LeadershipEvent.BecameLeader;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderKnown;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderLost;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaseRenewed;
import dev.regent.toolkit.leadership.LeadershipEvent.SteppedDown;
import dev.regent.toolkit.logging.RateLimitedLog;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Internal API: the proxy of one named singleton on one node. Forwards every message to the
 * manager on the node this node believes leads (the manager passes it to the instance, or holds it
 * until the instance runs), and buffers while no leader is known.
 *
 * <p>The leader comes from this node's own election view, which follows the leader's heartbeats:
 * as soon as this node stops hearing the leader ({@code LeaderLost}) the proxy stops forwarding
 * and buffers, rather than sending into a crashed node until the cluster removes it (Pekko's
 * behaviour). Nodes that get no heartbeats (non-voters) learn the leader from the running
 * manager's {@link LeaderAnnouncement}s instead, and give up on it when three announcement
 * intervals pass in silence. An announcement is used only when it names a newer term than the
 * election has shown this node, so on voters the election view stays in charge.
 *
 * <p>Delivery is at most once: messages already sent to a leader that then fails are lost. The
 * buffer holds at most {@code buffer-size} messages; beyond that the oldest goes to dead letters,
 * with a warning and a count in {@link StatsCounters}.
 */
public final class SingletonProxy extends AbstractBehavior<Object> {

  private record AnnouncementExpired() {}

  private static final Object EXPIRY = "announcement-expiry";

  /** At most one warning per 10 s while the buffer overflows; the counter has the total. */
  private RateLimitedLog dropLog;
  private final String name;
  private final LeadershipSource source;
  private final StatsCounters stats;
  private final TimerScheduler<Object> timers;
  private final int bufferSize;
  private final Duration announcementTtl;
  private final BoundedBuffer<Object> buffer;
  private final Address selfAddress;

  private Optional<ActorRef<Object>> target = Optional.empty();
  /** The largest term this node's election has told about (-1: none yet). */
  private long electionTerm = -1;
  /** The largest term announced by a manager (-1: none yet). */
  private long announcedTerm = -1;
  /** Whether {@link #target} came from an announcement, not from the election. */
  private boolean targetFromAnnouncement;

  public static Behavior<Object> create(String name, ClusterSingletonSettings settings,
      LeadershipSource source, StatsCounters stats) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new SingletonProxy(ctx, timers, name, settings, source, stats)));
  }

  private SingletonProxy(ActorContext<Object> ctx, TimerScheduler<Object> timers, String name,
      ClusterSingletonSettings settings, LeadershipSource source, StatsCounters stats) {
    super(ctx);
    this.timers = timers;
    this.name = name;
    this.source = source;
    this.stats = stats;
    this.bufferSize = settings.bufferSize();
    this.announcementTtl = settings.announceInterval().multipliedBy(3);
    this.buffer = new BoundedBuffer<>(bufferSize);
    this.selfAddress = ctx.getSystem().address();
    source.subscribe(ctx.getSelf().narrow());
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(LeaderKnown.class, e -> fromElection(e, e.term(), Optional.of(e.address())))
        .onMessage(BecameLeader.class, e -> fromElection(e, e.term(), Optional.of(selfAddress)))
        .onMessage(LeaseRenewed.class, e -> this)
        .onMessage(LeaderLost.class, e -> fromElection(e, e.term(), Optional.empty()))
        .onMessage(SteppedDown.class, e -> fromElection(e, e.term(), Optional.empty()))
        .onMessage(LeaderAnnouncement.class, this::onAnnouncement)
        .onMessage(AnnouncementExpired.class, m -> {
          if (targetFromAnnouncement) {
            getContext().getLog().info("Singleton proxy [{}]: no announcement from the leader"
                + " for {}; buffering", name, announcementTtl);
            target = Optional.empty();
            targetFromAnnouncement = false;
          }
          return this;
        })
        .onSignal(PostStop.class, s -> {
          source.unsubscribe(getContext().getSelf().narrow());
          return this;
        })
        .onAnyMessage(this::onUserMessage)
        .build();
  }

  private Behavior<Object> fromElection(LeadershipEvent e, long term, Optional<Address> leader) {
    electionTerm = Math.max(electionTerm, term);
    targetFromAnnouncement = false;
    timers.cancel(EXPIRY);
    if (leader.isPresent()) {
      routeTo(leader.get());
    } else {
      target = Optional.empty();
    }
    return this;
  }

  private Behavior<Object> onAnnouncement(LeaderAnnouncement a) {
    if (!a.singleton().equals(name) || a.term() <= electionTerm || a.term() < announcedTerm) {
      return this;
    }
    getContext().getLog().debug("Singleton proxy [{}]: announced instance of term {} at {}",
        name, a.term(), a.address());
    announcedTerm = a.term();
    targetFromAnnouncement = true;
    timers.startSingleTimer(EXPIRY, new AnnouncementExpired(), announcementTtl);
    routeTo(AddressFromURIString.parse(a.address()));
    return this;
  }

  private void routeTo(Address leader) {
    ActorRef<Object> manager = SingletonPaths.manager(getContext().getSystem(), leader, name);
    target = Optional.of(manager);
    if (!buffer.isEmpty()) {
      getContext().getLog().debug("Singleton proxy [{}] delivering {} buffered messages to {}",
          name, buffer.size(), leader);
      buffer.drainTo(manager::tell);
      stats.proxyBuffered.set(0);
    }
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
    stats.proxyDropped.incrementAndGet();
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
