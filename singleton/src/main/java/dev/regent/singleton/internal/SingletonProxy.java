package dev.regent.singleton.internal;

import dev.regent.singleton.ClusterSingletonSettings;
import dev.regent.toolkit.internal.logging.RateLimitedLog;
import dev.regent.toolkit.leadership.LeadershipEvent.BecameLeader;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderKnown;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderLost;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaseRenewed;
import dev.regent.toolkit.leadership.LeadershipEvent.SteppedDown;
import dev.regent.toolkit.leadership.LeadershipEvent;
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
 *
 * <p>The proxy's own protocol is {@link Command}. Its actor ref is the one {@code
 * ClusterSingleton.init} returns as the singleton's {@code ActorRef<M>}, so it also receives the
 * user's messages, of any type: {@link #create} puts one outermost step in front of the typed
 * behavior that passes commands through and wraps anything else in {@link Send}. User messages
 * leave the proxy wrapped in a {@link SingletonEnvelope}, the command a manager accepts.
 */
public final class SingletonProxy extends AbstractBehavior<SingletonProxy.Command> {

  /** Everything a proxy acts on. */
  public sealed interface Command permits LeaderAnnouncement, Election, Send, AnnouncementExpired {}

  /** A user message sent to the proxy's ref (wrapped by {@link #create}'s outermost step). */
  record Send(Object message) implements Command {}

  /** A leadership event of this node's election, through the proxy's message adapter. */
  private record Election(LeadershipEvent event) implements Command {}

  private record AnnouncementExpired() implements Command {}

  private static final Object EXPIRY = "announcement-expiry";

  /** At most one warning per 10 s while the buffer overflows; the counter has the total. */
  private RateLimitedLog dropLog;
  private final String name;
  private final LeadershipSource source;
  private final StatsCounters stats;
  private final TimerScheduler<Command> timers;
  private final int bufferSize;
  private final Duration announcementTtl;
  private final BoundedBuffer<Object> buffer;
  private final Address selfAddress;

  private Optional<ActorRef<SingletonManager.Command>> target = Optional.empty();
  /** The largest term this node's election has told about (-1: none yet). */
  private long electionTerm = -1;
  /** The largest term announced by a manager (-1: none yet). */
  private long announcedTerm = -1;
  /** Whether {@link #target} came from an announcement, not from the election. */
  private boolean targetFromAnnouncement;
  /** Where the election's events come in (subscribed at the start, unsubscribed at the stop). */
  private final ActorRef<LeadershipEvent> electionEvents;

  /**
   * The proxy's behavior, as its ref is handed to users: it accepts the proxy's commands and any
   * user message (wrapped in {@link Send} before the typed behavior sees it).
   */
  public static Behavior<Object> create(String name, ClusterSingletonSettings settings,
      LeadershipSource source, StatsCounters stats) {
    Behavior<Command> typed = Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new SingletonProxy(ctx, timers, name, settings, source, stats)));
    return Behaviors.transformMessages(Object.class, typed,
        pf -> pf.matchAny(m -> m instanceof Command c ? c : new Send(m)));
  }

  private SingletonProxy(ActorContext<Command> ctx, TimerScheduler<Command> timers, String name,
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
    this.electionEvents = ctx.messageAdapter(LeadershipEvent.class, Election::new);
    source.subscribe(electionEvents);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Election.class, m -> onElection(m.event()))
        .onMessage(Send.class, m -> onUserMessage(m.message()))
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
          source.unsubscribe(electionEvents);
          return this;
        })
        .build();
  }

  private Behavior<Command> onElection(LeadershipEvent event) {
    if (event instanceof LeaderKnown e) {
      return fromElection(e.term(), Optional.of(e.address()));
    } else if (event instanceof BecameLeader e) {
      return fromElection(e.term(), Optional.of(selfAddress));
    } else if (event instanceof LeaderLost e) {
      return fromElection(e.term(), Optional.empty());
    } else if (event instanceof SteppedDown e) {
      return fromElection(e.term(), Optional.empty());
    }
    // LeaseRenewed: the leader did not change.
    return this;
  }

  private Behavior<Command> fromElection(long term, Optional<Address> leader) {
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

  private Behavior<Command> onAnnouncement(LeaderAnnouncement a) {
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
    ActorRef<SingletonManager.Command> manager =
        SingletonPaths.manager(getContext().getSystem(), leader, name);
    target = Optional.of(manager);
    if (!buffer.isEmpty()) {
      getContext().getLog().debug("Singleton proxy [{}] delivering {} buffered messages to {}",
          name, buffer.size(), leader);
      buffer.drainTo(m -> manager.tell(new SingletonEnvelope(m)));
      stats.proxyBuffered.set(0);
    }
  }

  private Behavior<Command> onUserMessage(Object message) {
    if (target.isPresent()) {
      target.get().tell(new SingletonEnvelope(message));
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
