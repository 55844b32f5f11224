package dev.regent.singleton.internal;

import dev.regent.singleton.ClusterSingletonSettings;
import dev.regent.singleton.DeliveryMode;
import dev.regent.singleton.OverflowPolicy;
import dev.regent.singleton.RefusableMessage;
import dev.regent.singleton.SingletonRefused;
import dev.regent.toolkit.internal.logging.RateLimitedLog;
import dev.regent.toolkit.leadership.LeadershipEvent.BecameLeader;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderKnown;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderLost;
import dev.regent.toolkit.leadership.LeadershipEvent.SteppedDown;
import dev.regent.toolkit.leadership.LeadershipEvent;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Internal API: the proxy of one named singleton on one node.
 *
 * <p><b>Where it sends.</b> The leader comes from this node's own election view, which follows the
 * leader's heartbeats: as soon as this node stops hearing the leader ({@code LeaderLost}) the
 * proxy stops sending and buffers, rather than sending into a crashed node until the cluster
 * removes it (Pekko's behaviour). Nodes that get no heartbeats (non-voters) learn the leader from
 * the running manager's {@link LeaderAnnouncement}s instead, and give up on it when three
 * announcement intervals pass in silence. An announcement is used only when it names a newer term
 * than the election has shown this node, so on voters the election view stays in charge. While it
 * knows only the leader's node, the proxy sends to that node's manager and asks it where the
 * instance runs ({@link SingletonEnvelope#locate()}); once told ({@link Located}) it sends straight
 * to the incarnation (direct routing: one hop less; at most once the bare message, as Pekko's
 * proxy sends it, at least once in its envelope), and watches it. The manager is the route again
 * as soon as the incarnation terminates or the election shows a new term or no leader. A message
 * sent straight to an incarnation passes its suspension gate like any other (held while
 * suspended); one that reaches a stopped incarnation is lost in at-most-once mode, as it would be
 * at the manager, and sent again in at-least-once mode. Across a change of route (to the direct
 * route, or after a failover) a few messages in flight on the old route may arrive after newer
 * ones; otherwise one proxy's messages arrive in the order sent.
 *
 * <p><b>At most once</b> (the default): each message is sent once; the buffer holds at most
 * {@code buffer-size} messages while no leader is known. <b>At least once</b>: each message gets
 * the next sequence number and stays in {@code unconfirmed} (at most {@code max-unconfirmed})
 * until an incarnation confirms it ({@link Delivered}, after its behavior processed it). When the
 * route changes to a new incarnation, every unconfirmed message is sent again, oldest first;
 * a message unconfirmed {@code resend-after} after its last send is sent again too. A confirmation
 * for a message no longer kept is counted as a duplicate. In both modes a full buffer applies the
 * {@link OverflowPolicy}.
 *
 * <p>The proxy's own protocol is {@link Command}. Its actor ref is the one {@code
 * ClusterSingleton.init} returns as the singleton's {@code ActorRef<M>}, so it also receives the
 * user's messages, of any type: {@link #create} puts one outermost step in front of the typed
 * behavior that passes commands through and wraps anything else in {@link Send}.
 */
public final class SingletonProxy extends AbstractBehavior<SingletonProxy.Command> {

  /** Everything a proxy acts on. */
  public sealed interface Command permits LeaderAnnouncement, Election, Send, AnnouncementExpired,
      Delivered, Located, DirectTerminated, ResendTick {}

  /** A user message sent to the proxy's ref (wrapped by {@link #create}'s outermost step). */
  record Send(Object message) implements Command {}

  /** A leadership event of this node's election, through the proxy's message adapter. */
  private record Election(LeadershipEvent event) implements Command {}

  private record AnnouncementExpired() implements Command {}

  /** The incarnation the proxy sent to directly has terminated. */
  private record DirectTerminated(ActorRef<Object> instance) implements Command {}

  private record ResendTick() implements Command {}

  private static final Object EXPIRY = "announcement-expiry";
  private static final Object RESEND = "resend";

  /** An unconfirmed message (at-least-once). */
  private static final class Pending {
    final Object message;
    /** System.nanoTime() of the last send; 0 = not sent yet (no route). */
    long sentAt;

    Pending(Object message) {
      this.message = message;
    }
  }

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
  private final boolean atLeastOnce;
  private final OverflowPolicy overflow;
  private final int maxUnconfirmed;
  private final long resendAfterNanos;
  /** Unique per proxy incarnation: the key of its messages' ids, with the sequence number. */
  private final String proxyId;
  private final ActorRef<Command> self;

  /** The manager of the node believed to lead. */
  private Optional<ActorRef<SingletonManager.Command>> target = Optional.empty();
  /** The term of the route in {@link #target} (-1: none). */
  private long routeTerm = -1;
  private Address routeAddress;
  /** The running incarnation, once a manager told where it is (direct routing), else null. */
  private ActorRef<Object> direct;
  private long directTerm = -1;
  /** The largest term this node's election has told about (-1: none yet). */
  private long electionTerm = -1;
  /** The largest term announced by a manager (-1: none yet). */
  private long announcedTerm = -1;
  /** Whether {@link #target} came from an announcement, not from the election. */
  private boolean targetFromAnnouncement;
  /** Where the election's events come in (subscribed at the start, unsubscribed at the stop). */
  private final ActorRef<LeadershipEvent> electionEvents;

  // At-least-once.
  private long nextSeq = 1;
  private final LinkedHashMap<Long, Pending> unconfirmed = new LinkedHashMap<>();

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
    this.atLeastOnce = settings.delivery() == DeliveryMode.AT_LEAST_ONCE;
    this.overflow = settings.overflow();
    this.maxUnconfirmed = settings.maxUnconfirmed();
    this.resendAfterNanos = settings.resendAfter().toNanos();
    // The ref's serialized form: address, path and uid, unique per proxy incarnation, and the
    // serializer need not write it twice (it is the reply-to ref too).
    this.proxyId = ActorRefResolver.get(ctx.getSystem()).toSerializationFormat(ctx.getSelf());
    this.self = ctx.getSelf();
    this.electionEvents = ctx.messageAdapter(LeadershipEvent.class, Election::new);
    source.subscribe(electionEvents);
    if (atLeastOnce) {
      // A quarter of resend-after: a message is sent again between 1 and 1.25 x resend-after.
      timers.startTimerWithFixedDelay(RESEND, new ResendTick(),
          Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(5), resendAfterNanos / 4)));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Send.class, m -> onUserMessage(m.message()))
        .onMessage(Delivered.class, this::onDelivered)
        .onMessage(Located.class, this::onLocated)
        .onMessage(Election.class, m -> onElection(m.event()))
        .onMessage(LeaderAnnouncement.class, this::onAnnouncement)
        .onMessage(DirectTerminated.class, this::onDirectTerminated)
        .onMessage(ResendTick.class, m -> onResendTick())
        .onMessage(AnnouncementExpired.class, m -> {
          if (targetFromAnnouncement) {
            getContext().getLog().info("Singleton proxy [{}]: no announcement from the leader"
                + " for {}; buffering", name, announcementTtl);
            noRoute();
          }
          return this;
        })
        .onSignal(PostStop.class, s -> {
          source.unsubscribe(electionEvents);
          return this;
        })
        .build();
  }

  // ---- routes

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
      routeTo(leader.get(), term);
    } else {
      noRoute();
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
    routeTo(AddressFromURIString.parse(a.address()), a.term());
    return this;
  }

  private void noRoute() {
    target = Optional.empty();
    targetFromAnnouncement = false;
    routeTerm = -1;
    routeAddress = null;
    clearDirect();
  }

  private void routeTo(Address leader, long term) {
    if (target.isPresent() && term == routeTerm && leader.equals(routeAddress)) {
      return; // the same route (e.g. an announcement repeating what the election said)
    }
    ActorRef<SingletonManager.Command> manager =
        SingletonPaths.manager(getContext().getSystem(), leader, name);
    target = Optional.of(manager);
    routeTerm = term;
    routeAddress = leader;
    if (direct != null && directTerm < term) {
      clearDirect();
    }
    if (!buffer.isEmpty()) {
      getContext().getLog().debug("Singleton proxy [{}] delivering {} buffered messages to {}",
          name, buffer.size(), leader);
      buffer.drainTo(m -> send(m, 0));
      stats.proxyBuffered.set(0);
    }
    if (atLeastOnce) {
      resendAll("route to the leader of term " + term + " at " + leader);
    }
  }

  private Behavior<Command> onLocated(Located l) {
    if (!l.singleton().equals(name) || target.isEmpty() || l.term() < routeTerm
        || l.term() < directTerm || l.instance().equals(direct)) {
      return this;
    }
    clearDirect();
    direct = l.instance();
    directTerm = l.term();
    getContext().watchWith(direct, new DirectTerminated(direct));
    getContext().getLog().debug("Singleton proxy [{}]: sending straight to the instance of term"
        + " {} at {}", name, l.term(), l.instance().path());
    return this;
  }

  private Behavior<Command> onDirectTerminated(DirectTerminated t) {
    if (!t.instance().equals(direct)) {
      return this;
    }
    clearDirect();
    if (atLeastOnce) {
      // Whatever it held or had not processed is unconfirmed: to the manager (the next
      // incarnation, or the manager's buffer until it runs).
      resendAll("the instance of term " + directTerm + " terminated");
    }
    return this;
  }

  private void clearDirect() {
    if (direct != null) {
      getContext().unwatch(direct);
      direct = null;
    }
  }

  // ---- sending

  private Behavior<Command> onUserMessage(Object message) {
    if (atLeastOnce) {
      if (unconfirmed.size() >= maxUnconfirmed && !makeRoom(message, "unconfirmed messages",
          maxUnconfirmed)) {
        return this;
      }
      long seq = nextSeq++;
      Pending p = new Pending(message);
      unconfirmed.put(seq, p);
      if (target.isPresent()) {
        send(message, seq);
        p.sentAt = System.nanoTime();
      }
      setGauges();
    } else if (target.isPresent()) {
      send(message, 0);
    } else if (!buffer.isFull() || makeRoom(message, "buffered messages", bufferSize)) {
      buffer.add(message).ifPresent(m -> dropped(m, "oldest", bufferSize));
      stats.proxyBuffered.set(buffer.size());
    }
    return this;
  }

  /**
   * The buffer (or the unconfirmed messages) is full: applies the overflow policy.
   *
   * @return whether {@code message} is to be added (drop-oldest: the oldest is dropped here, or
   *     by the buffer itself)
   */
  private boolean makeRoom(Object message, String what, int capacity) {
    switch (overflow) {
      case DROP_OLDEST -> {
        if (atLeastOnce) {
          Iterator<Map.Entry<Long, Pending>> it = unconfirmed.entrySet().iterator();
          Object oldest = it.next().getValue().message;
          it.remove();
          dropped(oldest, "oldest", capacity);
        }
        return true;
      }
      case DROP_NEWEST -> {
        dropped(message, "newest", capacity);
        return false;
      }
      case REFUSE -> {
        refuse(message, what, capacity);
        return false;
      }
      default -> throw new IllegalStateException("unknown overflow policy " + overflow);
    }
  }

  /** Sends one message on the current route; {@code seq > 0} asks for a confirmation. */
  private void send(Object message, long seq) {
    if (direct != null) {
      if (seq > 0) {
        direct.tell(new SingletonEnvelope(message, self, proxyId, seq, false));
      } else {
        // At most once: the message itself, as Pekko's proxy sends it (no envelope to write and
        // read, nothing to hear back); the instance's interceptor passes it to the behavior.
        direct.tell(message);
      }
      stats.proxyDirectSends.incrementAndGet();
    } else {
      target.get().tell(new SingletonEnvelope(message, self, proxyId, seq, true));
    }
  }

  private void resendAll(String why) {
    if (unconfirmed.isEmpty() || target.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    int n = 0;
    for (Map.Entry<Long, Pending> e : unconfirmed.entrySet()) {
      if (e.getValue().sentAt != 0) {
        n++;
      }
      send(e.getValue().message, e.getKey());
      e.getValue().sentAt = now;
    }
    stats.proxyResent(n);
    if (n > 0) {
      getContext().getLog().info("Singleton proxy [{}] sent {} unconfirmed messages again: {}",
          name, n, why);
    }
  }

  private Behavior<Command> onResendTick() {
    if (unconfirmed.isEmpty() || target.isEmpty()) {
      return this;
    }
    long now = System.nanoTime();
    int n = 0;
    for (Map.Entry<Long, Pending> e : unconfirmed.entrySet()) {
      Pending p = e.getValue();
      if (p.sentAt == 0 || now - p.sentAt >= resendAfterNanos) {
        if (p.sentAt != 0) {
          n++;
        }
        send(p.message, e.getKey());
        p.sentAt = now;
      }
    }
    if (n > 0) {
      stats.proxyResent(n);
      getContext().getLog().debug("Singleton proxy [{}] sent {} messages again: unconfirmed"
          + " after {} ms", name, n, TimeUnit.NANOSECONDS.toMillis(resendAfterNanos));
    }
    return this;
  }

  private Behavior<Command> onDelivered(Delivered d) {
    for (long seq : d.seqs()) {
      if (unconfirmed.remove(seq) == null && seq < nextSeq) {
        stats.duplicateConfirmation();
      }
    }
    setGauges();
    return this;
  }

  private void setGauges() {
    stats.proxyUnconfirmed.set(unconfirmed.size());
    stats.proxyBuffered.set(unconfirmed.size());
  }

  // ---- overflow

  private RateLimitedLog dropLog() {
    if (dropLog == null) {
      dropLog = new RateLimitedLog(getContext().getLog(), TimeUnit.SECONDS.toNanos(10));
    }
    return dropLog;
  }

  private void dropped(Object message, String which, int capacity) {
    stats.proxyDropped();
    dropLog().warn("full",
        "Singleton proxy [{}] is full ({} {}): dropping the {}, a [{}] ({} dropped so far)",
        name, capacity, atLeastOnce ? "unconfirmed messages" : "buffered messages", which,
        message.getClass().getName(), stats.proxyDropped.get());
    getContext().getSystem().deadLetters().tell(message);
  }

  private void refuse(Object message, String what, int capacity) {
    stats.proxyRefused();
    String reason = "singleton proxy [" + name + "] is full (" + capacity + " " + what
        + ") and regent.singleton.overflow = refuse";
    dropLog().warn("refused", "Singleton proxy [{}] refused a [{}]: full ({} {}); {} refused so"
        + " far", name, message.getClass().getName(), capacity, what, stats.proxyRefused.get());
    if (message instanceof RefusableMessage r && r.refusedTo() != null) {
      r.refusedTo().tell(new SingletonRefused(name, message, reason));
    } else {
      getContext().getSystem().eventStream().tell(
          new EventStream.Publish<>(new Dropped(message, reason,
              org.apache.pekko.actor.ActorRef.noSender(), Adapter.toClassic(getContext().getSelf()))));
    }
  }
}
