package dev.regent.singleton.internal;

import dev.regent.singleton.ClusterSingletonSettings;
import dev.regent.singleton.DeliveryId;
import dev.regent.singleton.SingletonActor;
import dev.regent.singleton.SingletonContext;
import dev.regent.singleton.SingletonLifecycleEvent;
import dev.regent.singleton.SingletonLifecycleListener;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.internal.hosting.HostingDecision;
import dev.regent.toolkit.internal.hosting.HostingRule;
import dev.regent.toolkit.internal.hosting.HostingState;
import dev.regent.toolkit.internal.logging.RateLimitedLog;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.LeadershipEvent.BecameLeader;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderKnown;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderLost;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaseRenewed;
import dev.regent.toolkit.leadership.LeadershipEvent.SteppedDown;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterActorRefProvider;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;

/**
 * Internal API: the per-node manager of one named singleton. Starts the instance when this node
 * becomes leader with a lease, suspends it while the lease is not valid, and makes sure it has
 * terminated before another node can host.
 *
 * <p>The whole policy is re-evaluated after every event ({@link #reconcile}); the decisions are
 * the toolkit's pure {@link HostingRule} (the election simulator runs the same code), and this
 * class carries them out: spawning, the suspension gate, timers, messages. The instance of term
 * T runs while this node leads T, the node is not shutting down, and the instance of T has not
 * stopped on its own. Within that, it is <em>active</em> (messages reach its behavior) iff the
 * lease of T has more than {@code stop-timeout + lease-margin} (+ one tick) left; otherwise it is
 * <em>suspended</em>: its {@link SuspensionGate} is closed and every message (user messages and
 * Pekko timers alike) is held by its {@link SuspensionInterceptor}. A renewal in the same term
 * resumes it with its state; a higher term, a step-down, a lost or other leader, a shutdown, a
 * hand-over, or a suspension longer than {@code max-suspension} stop it. A suspended instance is
 * stopped at once, without its stop message (it may not act any more). An active instance is sent
 * its stop message and stopped hard {@code stop-timeout} later.
 *
 * <p>Why the suspension point is safe (S3, "active" = running and not suspended). The gate is a
 * flag the interceptor checks before each message, so it takes effect at the next message
 * boundary, whatever is queued. A message that is being handled when the manager closes the gate
 * cannot be interrupted: the gate goes to "closing" and the interceptor acknowledges once the
 * handler returned; only then is the instance quiescent. The manager closes the gate at
 * {@code lease end - stop-timeout - lease-margin}, the point where the stop began before, so a
 * handler has {@code stop-timeout} to return and {@code lease-margin} covers scheduling delay.
 * This is the same assumption the stop always made: a hard stop ({@code ActorContext.stop}) also
 * takes effect only between two messages, so the suspension is never later than a stop would
 * be. A handler still running when only the margin is left is logged at WARN. What no local rule
 * covers: a process paused between a check and an action; {@code leaseValid()} narrows the window
 * and the fencing token closes it (S4). A new instance never starts before the previous one's
 * {@code Terminated}: they share an actor name, and S3 must hold on one node too.
 *
 * <p>The singleton's {@code SingletonLifecycleListener} is told STARTED at the spawn, SUSPENDED
 * once the suspension is acknowledged (never earlier), RESUMED before the gate reopens (never
 * later; only after a SUSPENDED was told) and STOPPED at {@code Terminated}.
 *
 * <p>The manager is also the address proxies send to (the instance may not exist yet: followers
 * learn of a new leader from its first heartbeat, before it holds a lease). User messages arrive
 * in a {@link SingletonEnvelope} wrapped by their sender (the proxy on any node, or another
 * manager handing its buffer on); those that arrive while no instance runs are buffered here, then
 * handed to the instance when it starts, or to the new leader's manager when another node is known
 * to lead.
 *
 * <p>The protocol is {@link Command}: the envelope and the two stop requests come from outside,
 * leadership events through a message adapter ({@link Election}), the rest are the manager's own
 * timers, the instance's {@code Terminated} ({@code watchWith}) and the instance's suspension
 * acknowledgement.
 */
public final class SingletonManager<M> extends AbstractBehavior<SingletonManager.Command> {

  /** Everything a manager accepts. */
  public sealed interface Command permits SingletonEnvelope, StopForShutdown, StopForHandOver,
      Election, Recheck, HardStop, InstanceTerminated, Announce, SuspensionOverdue,
      SuspensionInterceptor.Acknowledged, SuspensionInterceptor.LeaseEndSeen {}

  /** Stop the instance for CoordinatedShutdown and answer once it has terminated. */
  public record StopForShutdown(ActorRef<Done> replyTo) implements Command {}

  /**
   * This node is about to hand its leadership over (a requested transfer, {@code Cluster.leave},
   * leaving or being downed while leading: the election asks through its hand-over task): stop
   * the instance, do not start one again in the current term, and answer only once none runs,
   * i.e. after the instance's {@code Terminated}. The next leader may take its lease as soon as
   * this node steps down, so the instance must be gone first. An instance that does not terminate
   * (a handler that blocks, a PostStop that takes long) is never reported stopped: the hand-over
   * then times out and the next leader waits out this node's lease.
   */
  public record StopForHandOver(ActorRef<Done> replyTo) implements Command {}

  /** The rule's {@link HostingDecision#recheckAt}: the lease runs low, or max-suspension passed. */
  private record Recheck() implements Command {}

  private record HardStop(ActorRef<?> instance) implements Command {}

  private record InstanceTerminated(ActorRef<?> instance) implements Command {}

  private record Announce() implements Command {}

  private record SuspensionOverdue() implements Command {}

  /** A leadership event of this node's election, through the manager's message adapter. */
  private record Election(LeadershipEvent event) implements Command {}

  private static final Object RECHECK = "recheck";
  private static final Object HARD_STOP = "hard-stop";
  private static final Object ANNOUNCE = "announce";
  private static final Object SUSPENSION_OVERDUE = "suspension-overdue";

  private final SingletonActor<M> singleton;
  private final ClusterSingletonSettings settings;
  private final LeadershipSource source;
  private final StatsCounters stats;
  private final TimerScheduler<Command> timers;
  private final Logger log;
  private final NodeId self;
  /**
   * When to start, suspend, resume and stop the instance. Pekko's timers fire on scheduler ticks,
   * so up to one tick late: the rule decides every deadline one tick early so lateness never eats
   * into the lease margin.
   */
  private final HostingRule rule;
  private final BoundedBuffer<SingletonEnvelope> buffer;
  /** Announcements need cluster membership; a local system (unit tests) has none. */
  private final boolean isCluster;
  /** Where the election's events come in (subscribed at the start, unsubscribed at the stop). */
  private final ActorRef<LeadershipEvent> electionEvents;

  /**
   * What the election has told this node and the instance's state, as the {@link HostingRule}
   * sees it: the lease, the instance's term and whether it runs, is suspended or is stopping, the
   * finished term, the shutdown.
   */
  private HostingState state = HostingState.INITIAL;
  private Optional<Address> leaderElsewhere = Optional.empty();

  // The instance.
  private ActorRef<Object> instance;
  private FencingToken instanceToken;
  /** The instance's gate: closed while it is suspended. */
  private SuspensionGate gate;
  /** The instance's context (its lease, read from the election's snapshot). */
  private Context instanceContext;
  /** The instance reported its lease ended by the clock and waits for {@code Retry}. */
  private boolean leaseEndReported;
  /**
   * The instance's gate is closed (it was suspended and not resumed; stays true while a suspended
   * instance is being stopped).
   */
  private boolean suspended;
  /**
   * The instance acknowledged the suspension: no handler of it runs (see class comment). Only
   * then is the listener told SUSPENDED (and later RESUMED).
   */
  private boolean suspensionAcknowledged;

  /** At most one warning per 10 s while the buffer overflows; the counter has the total. */
  private RateLimitedLog dropLog;
  private final List<ActorRef<Done>> shutdownWaiters = new ArrayList<>();
  /** {@link StopForHandOver}: answered when no instance runs. */
  private final List<ActorRef<Done>> handOverWaiters = new ArrayList<>();

  public static <M> Behavior<Command> create(SingletonActor<M> singleton,
      ClusterSingletonSettings settings, LeadershipSource source, StatsCounters stats) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new SingletonManager<>(ctx, timers, singleton, settings, source, stats)));
  }

  private SingletonManager(ActorContext<Command> ctx, TimerScheduler<Command> timers,
      SingletonActor<M> singleton, ClusterSingletonSettings settings, LeadershipSource source,
      StatsCounters stats) {
    super(ctx);
    this.timers = timers;
    this.singleton = singleton;
    this.settings = settings;
    this.source = source;
    this.stats = stats;
    this.log = ctx.getLog();
    this.self = source.selfId();
    long tickNanos = ctx.getSystem().settings().config()
        .getDuration("pekko.scheduler.tick-duration").toNanos();
    this.rule = new HostingRule(settings.stopTimeout().toNanos(),
        settings.leaseMargin().toNanos(), tickNanos, settings.maxSuspension().toNanos());
    this.buffer = new BoundedBuffer<>(settings.bufferSize());
    this.isCluster = ((ExtendedActorSystem) ctx.getSystem().classicSystem()).provider()
        instanceof ClusterActorRefProvider;
    this.electionEvents = ctx.messageAdapter(LeadershipEvent.class, Election::new);
    source.subscribe(electionEvents);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Election.class, m -> onElection(m.event()))
        .onMessage(SingletonEnvelope.class, this::onUserMessage)
        .onMessage(Recheck.class, m -> onRecheck())
        .onMessage(HardStop.class, this::onHardStop)
        .onMessage(InstanceTerminated.class, this::onInstanceTerminated)
        .onMessage(StopForShutdown.class, this::onStopForShutdown)
        .onMessage(StopForHandOver.class, this::onStopForHandOver)
        .onMessage(SuspensionInterceptor.Acknowledged.class, this::onSuspensionAcknowledged)
        .onMessage(SuspensionInterceptor.LeaseEndSeen.class, this::onLeaseEndSeen)
        .onMessage(SuspensionOverdue.class, m -> onSuspensionOverdue())
        .onMessage(Announce.class, m -> {
          announce();
          return this;
        })
        .onSignal(PostStop.class, s -> {
          source.unsubscribe(electionEvents);
          return this;
        })
        .build();
  }

  private Behavior<Command> onElection(LeadershipEvent event) {
    if (event instanceof BecameLeader e) {
      return onBecameLeader(e);
    } else if (event instanceof LeaseRenewed e) {
      return onLeaseRenewed(e);
    } else if (event instanceof SteppedDown e) {
      return onSteppedDown(e);
    } else if (event instanceof LeaderKnown e) {
      return onLeaderKnown(e);
    } else if (event instanceof LeaderLost e) {
      return onLeaderLost(e);
    }
    return this;
  }

  private Behavior<Command> onBecameLeader(BecameLeader e) {
    // A finished term stays finished (the instance stopped by itself, or it is being handed over).
    state = state.leaseAcquired(e.term(), e.leaseDeadlineNanos());
    leaderElsewhere = Optional.empty();
    return reconcile("became leader of term " + e.term());
  }

  private Behavior<Command> onLeaseRenewed(LeaseRenewed e) {
    state = state.leaseRenewed(e.term(), e.leaseDeadlineNanos());
    return reconcile("lease renewed");
  }

  /**
   * The rule's recheck time: the lease is about to run low, or the suspension has lasted
   * max-suspension. The renewal may already be known to the election but still on its way to this
   * mailbox (a busy node): the election's snapshot is authoritative and events only follow it, so
   * a later deadline for the same term there is used rather than suspending.
   */
  private Behavior<Command> onRecheck() {
    String why = state.instance() == HostingState.Instance.SUSPENDED
        ? "suspended for longer than max-suspension (" + settings.maxSuspension() + ")"
        : "lease about to end without renewal";
    Leadership now = source.current();
    if (state.leading() && now.isLeader() && now.term() == state.leaderTerm()
        && now.leaseDeadlineNanos() - state.leaseDeadline() > 0) {
      state = state.leaseRenewed(state.leaderTerm(), now.leaseDeadlineNanos());
    }
    return reconcile(why);
  }

  /**
   * The instance holds a message because its lease ended by the clock (the election's snapshot)
   * before this manager's timer closed its gate: typically the process was paused, and the
   * instance ran its mailbox first. Decide now, as at the timer ({@link #reconcile} then answers
   * {@code Retry} once the snapshot shows the lease valid again, see {@link #retryIfLeaseValid}).
   */
  private Behavior<Command> onLeaseEndSeen(SuspensionInterceptor.LeaseEndSeen m) {
    if (m.gate() != gate || instance == null) {
      return this; // an earlier instance's report
    }
    leaseEndReported = true;
    return onRecheck();
  }

  /**
   * After each decision: an instance that reported its lease ended and still runs with an open
   * gate is told to go on once the election's snapshot shows its lease valid (a renewal had
   * arrived). While the snapshot says ended, events follow it (a higher term, a step-down, a
   * renewal) or the recheck timer suspends: each comes back here, so nothing waits forever and
   * the two never bounce messages between them.
   */
  private void retryIfLeaseValid() {
    if (leaseEndReported && instance != null && instanceContext != null && !suspended
        && !gate.closed() && state.instance() == HostingState.Instance.RUNNING
        && !instanceContext.leaseEnded()) {
      leaseEndReported = false;
      instance.tell(new SuspensionInterceptor.Retry());
    }
  }

  private Behavior<Command> onSteppedDown(SteppedDown e) {
    state = state.notLeader();
    return reconcile("stepped down from term " + e.term() + " (" + e.reason() + ")");
  }

  private Behavior<Command> onLeaderKnown(LeaderKnown e) {
    if (e.leader().equals(self)) {
      // Leading is only acted on with a lease (BecameLeader); this just says no one else leads.
      leaderElsewhere = Optional.empty();
      return this;
    }
    state = state.notLeader();
    leaderElsewhere = Optional.of(e.address());
    return reconcile("leader of term " + e.term() + " is " + e.leader());
  }

  private Behavior<Command> onLeaderLost(LeaderLost e) {
    state = state.notLeader();
    leaderElsewhere = Optional.empty();
    return reconcile("leader of term " + e.term() + " lost");
  }

  private Behavior<Command> onStopForShutdown(StopForShutdown m) {
    state = state.shutdown();
    if (instance == null) {
      m.replyTo().tell(Done.getInstance());
    } else {
      shutdownWaiters.add(m.replyTo());
    }
    return reconcile("coordinated shutdown");
  }

  private Behavior<Command> onStopForHandOver(StopForHandOver m) {
    // The election's own view: BecameLeader may still be on its way to this mailbox.
    Leadership now = source.current();
    if (now.isLeader()) {
      state = state.handingOver(now.term());
    } else if (state.leading()) {
      state = state.handingOver(state.leaderTerm());
    }
    if (instance == null) {
      m.replyTo().tell(Done.getInstance());
    } else {
      handOverWaiters.add(m.replyTo());
    }
    return reconcile("leadership is being handed over");
  }

  private Behavior<Command> onHardStop(HardStop m) {
    if (m.instance().equals(instance)) {
      log.warn("Singleton [{}] of term {} did not stop within {}; stopping it now",
          singleton.name(), state.instanceTerm(), settings.stopTimeout());
      getContext().stop(instance);
    }
    return this;
  }

  private Behavior<Command> onInstanceTerminated(InstanceTerminated m) {
    if (!m.instance().equals(instance)) {
      return this;
    }
    timers.cancel(HARD_STOP);
    timers.cancel(RECHECK);
    timers.cancel(ANNOUNCE);
    timers.cancel(SUSPENSION_OVERDUE);
    if (state.instance() != HostingState.Instance.STOPPING) {
      // It stopped by itself (or failed without restart): as in Pekko, it is not started again
      // for the same leadership (the rule's finished term).
      log.info("Singleton [{}] of term {} stopped by itself", singleton.name(),
          state.instanceTerm());
    } else {
      log.info("Singleton [{}] of term {} terminated", singleton.name(), state.instanceTerm());
    }
    tell(SingletonLifecycleEvent.Kind.STOPPED);
    state = state.terminated();
    instance = null;
    gate = null;
    suspended = false;
    stats.instanceStopped();
    if (state.shuttingDown()) {
      shutdownWaiters.forEach(w -> w.tell(Done.getInstance()));
      shutdownWaiters.clear();
    }
    handOverWaiters.forEach(w -> w.tell(Done.getInstance()));
    handOverWaiters.clear();
    return reconcile("instance terminated");
  }

  private Behavior<Command> onUserMessage(SingletonEnvelope envelope) {
    if (instance != null && state.instanceLive()) {
      deliver(envelope);
    } else if (instance == null && leaderElsewhere.isPresent()) {
      forwardToLeader(envelope);
    } else {
      buffer.add(envelope).ifPresent(this::dropped);
    }
    return this;
  }

  /**
   * Hands an envelope to the running instance (its interceptor unwraps it and confirms it when
   * asked), and tells a proxy that asked where the instance runs, so it can send there directly.
   */
  private void deliver(SingletonEnvelope envelope) {
    instance.tell(envelope);
    if (envelope.locate()) {
      envelope.replyTo().tell(new Located(singleton.name(), state.instanceTerm(), instance));
    }
  }

  /**
   * Applies the one rule ({@link HostingRule}, see the class comment) to the current state and
   * carries out its decision.
   */
  private Behavior<Command> reconcile(String why) {
    long now = System.nanoTime();
    HostingDecision decision = rule.decide(state, now);
    state = decision.next();
    switch (decision.action()) {
      case BEGIN_STOP -> beginStop(decision, why);
      case SUSPEND -> suspend(now, why);
      case RESUME -> resume(now, why);
      case START -> start(decision.term());
      case NOTHING -> { }
      default -> throw new IllegalStateException("unknown action " + decision.action());
    }
    if (decision.recheckAt().isPresent()) {
      timers.startSingleTimer(RECHECK, new Recheck(),
          Duration.ofNanos(Math.max(0, decision.recheckAt().getAsLong() - now)));
    } else {
      timers.cancel(RECHECK);
    }
    if (instance == null && leaderElsewhere.isPresent() && !buffer.isEmpty()) {
      buffer.drainTo(this::forwardToLeader);
    }
    retryIfLeaseValid();
    return this;
  }

  /**
   * Holds every further message of the running instance: its lease of this term is no longer
   * valid. Runs at {@code lease end - stop-timeout - lease-margin} (one tick early), the moment a
   * stop would begin, so the instance is quiescent before the lease ends: a handler that is
   * running now is given {@code stop-timeout} to return (see the class comment).
   */
  private void suspend(long now, String why) {
    suspended = true;
    leaseEndReported = false; // the resume (or the stop) answers the instance now
    SuspensionGate.CloseResult closed = gate.close();
    suspensionAcknowledged = closed == SuspensionGate.CloseResult.CLOSED_NOW;
    stats.suspended();
    if (suspensionAcknowledged) {
      tell(SingletonLifecycleEvent.Kind.SUSPENDED);
    }
    log.info("Suspending singleton [{}] of term {} on node {}: {} (lease ends in {} ms); messages"
            + " and timers are held until the lease is renewed in this term, for at most {}{}",
        singleton.name(), state.instanceTerm(), self.name(), why,
        (state.instanceLeaseDeadline() - now) / 1_000_000, settings.maxSuspension(),
        suspensionAcknowledged ? "" : " (a message is being processed: suspended once it returns)");
    if (!suspensionAcknowledged) {
      long overdueAt = rule.handlerOverdueAt(state);
      timers.startSingleTimer(SUSPENSION_OVERDUE, new SuspensionOverdue(),
          Duration.ofNanos(Math.max(0, overdueAt - now)));
    }
  }

  /** The lease of the instance's term is valid again: reopen its gate, held messages first. */
  private void resume(long now, String why) {
    suspended = false;
    timers.cancel(SUSPENSION_OVERDUE);
    stats.resumed();
    if (suspensionAcknowledged) {
      // Before the gate reopens (the resume is a message to the instance): never late.
      tell(SingletonLifecycleEvent.Kind.RESUMED);
    }
    instance.tell(new SuspensionInterceptor.Resume(gate.epoch()));
    log.info("Resuming singleton [{}] of term {} on node {} after {} ms: {} (lease left {} ms)",
        singleton.name(), state.instanceTerm(), self.name(),
        (now - state.suspendedAt()) / 1_000_000, why, (state.leaseDeadline() - now) / 1_000_000);
  }

  private Behavior<Command> onSuspensionAcknowledged(SuspensionInterceptor.Acknowledged m) {
    if (m.gate() == gate && suspended && m.epoch() == gate.epoch()) {
      suspensionAcknowledged = true;
      timers.cancel(SUSPENSION_OVERDUE);
      tell(SingletonLifecycleEvent.Kind.SUSPENDED);
      log.debug("Singleton [{}] of term {} on node {} is suspended (its running message returned"
          + " after {} ms)", singleton.name(), state.instanceTerm(), self.name(),
          (System.nanoTime() - state.suspendedAt()) / 1_000_000);
    }
    return this;
  }

  private Behavior<Command> onSuspensionOverdue() {
    if (suspended && !suspensionAcknowledged) {
      log.warn("Singleton [{}] of term {} on node {} is still processing the message it was"
          + " handling when it was suspended {} ms ago, and its lease ends in {} ms: a handler"
          + " must return within stop-timeout ({}) or the one-instance guarantee may not hold",
          singleton.name(), state.instanceTerm(), self.name(),
          (System.nanoTime() - state.suspendedAt()) / 1_000_000,
          (state.instanceLeaseDeadline() - System.nanoTime()) / 1_000_000,
          settings.stopTimeout());
    }
    return this;
  }

  private void start(long term) {
    // The lineage never changes while this node has state: the snapshot's is the term's.
    SuspensionGate instanceGate = new SuspensionGate();
    var context =
        new Context(FencingToken.of(source.current().lineage(), term), term, instanceGate);
    Behavior<M> supervised = settings.supervision()
        .supervise(Behaviors.setup(c -> singleton.behavior(context)));
    // Outermost, around the supervisor: every message of the mailbox passes the gate first.
    String description = "[" + singleton.name() + "] of term " + term + " on node " + self.name();
    ActorRef<Command> manager = getContext().getSelf();
    Behavior<Object> behavior = Behaviors.intercept(() -> new SuspensionInterceptor<M>(
        instanceGate, manager, settings.bufferSize(), stats, description, context.cursor,
        context::leaseValid, context::leaseEnded),
        supervised);
    instance = getContext().spawn(behavior, SingletonPaths.INSTANCE, singleton.props());
    instanceToken = context.token;
    instanceContext = context;
    leaseEndReported = false;
    gate = instanceGate;
    suspended = false;
    getContext().watchWith(instance, new InstanceTerminated(instance));
    stats.instanceStarted(term);
    tell(SingletonLifecycleEvent.Kind.STARTED);
    log.info("Singleton [{}] started with fencing token {} of lineage {} (lease left {} ms)",
        singleton.name(), term, Lineage.format(context.token.lineage()),
        (state.leaseDeadline() - System.nanoTime()) / 1_000_000);
    buffer.drainTo(this::deliver);
    announce();
    timers.startTimerWithFixedDelay(ANNOUNCE, new Announce(), settings.announceInterval());
  }

  /**
   * Tells the other members' proxies that the instance of this term runs here. Voters learn it
   * from the election too; non-voters (no election heartbeats) only from this.
   */
  private void announce() {
    if (instance == null || !state.instanceLive() || !isCluster) {
      return;
    }
    var cluster = Cluster.get(getContext().getSystem());
    Address selfAddress = cluster.selfMember().address();
    var announcement =
        new LeaderAnnouncement(singleton.name(), selfAddress.toString(), state.instanceTerm());
    for (var member : cluster.state().getMembers()) {
      if (!member.address().equals(selfAddress)) {
        SingletonPaths.proxy(getContext().getSystem(), member.address(), singleton.name())
            .tell(announcement);
      }
    }
  }

  /** Carries out the rule's {@link HostingDecision.Action#BEGIN_STOP}. */
  private void beginStop(HostingDecision decision, String why) {
    timers.cancel(ANNOUNCE);
    if (!decision.withStopMessage()) {
      // Its lease is not valid: it may not act any more, not even on its stop message.
      log.info("Stopping suspended singleton [{}] of term {} on node {} without its stop message:"
          + " {}", singleton.name(), state.instanceTerm(), self.name(), why);
      getContext().stop(instance);
      return;
    }
    log.info("Stopping singleton [{}] of term {} on node {}: {}", singleton.name(),
        state.instanceTerm(), self.name(), why);
    if (singleton.stopMessage().isPresent()) {
      instance.tell(singleton.stopMessage().get());
      // Hard stop after stop-timeout, but never later than the lease allows: the lease of the
      // instance's term (the last one known) bounds when another node may host.
      long now = System.nanoTime();
      timers.startSingleTimer(HARD_STOP, new HardStop(instance),
          Duration.ofNanos(Math.max(0, decision.hardStopAt() - now)));
    } else {
      getContext().stop(instance);
    }
  }

  /** Tells the singleton's {@link SingletonLifecycleListener}; it must not break the manager. */
  private void tell(SingletonLifecycleEvent.Kind kind) {
    SingletonLifecycleListener listener = singleton.lifecycleListener();
    if (listener == SingletonLifecycleListener.NONE) {
      return;
    }
    try {
      listener.onEvent(new SingletonLifecycleEvent(kind, singleton.name(), self, instanceToken,
          System.nanoTime()));
    } catch (RuntimeException e) {
      log.warn("Lifecycle listener of singleton [{}] failed on {} of term {} on node {}",
          singleton.name(), kind, state.instanceTerm(), self.name(), e);
    }
  }

  /**
   * Hands a user message on to the leader's manager, in its envelope (delivery fields kept). An
   * at-least-once message ({@code seq > 0}) is not handed on but dropped here: its proxy sends it
   * to the new leader itself (it resends every unconfirmed message when its route changes, and
   * after resend-after), so handing it on too would only make a duplicate (measured: about one
   * failover's worth of messages processed twice).
   */
  private void forwardToLeader(SingletonEnvelope envelope) {
    if (envelope.seq() > 0) {
      stats.managerLeftToProxy.incrementAndGet();
      return;
    }
    SingletonPaths.manager(getContext().getSystem(), leaderElsewhere.get(), singleton.name())
        .tell(envelope);
  }

  private void dropped(SingletonEnvelope envelope) {
    Object message = envelope.message();
    stats.managerDropped.incrementAndGet();
    if (dropLog == null) {
      dropLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));
    }
    dropLog.warn("full", "Singleton manager [{}] buffer is full ({} messages): dropping the oldest,"
            + " a [{}] ({} dropped so far)", singleton.name(), settings.bufferSize(),
        message.getClass().getName(), stats.managerDropped.get());
    getContext().getSystem().deadLetters().tell(message);
  }

  /** The context handed to fenced singletons. */
  private final class Context implements SingletonContext {
    private final FencingToken token;
    private final long term;
    private final SuspensionGate gate;
    private final DeliveryCursor cursor = new DeliveryCursor();

    Context(FencingToken token, long term, SuspensionGate gate) {
      this.token = token;
      this.term = term;
      this.gate = gate;
      leaseEnded(); // the lease the instance starts with
    }

    @Override
    public FencingToken fencingToken() {
      return token;
    }

    @Override
    public boolean leaseValid() {
      // Valid as long as the manager would not suspend: more than the stop budget (and a tick)
      // of lease left, by the election's own snapshot, and the instance is not suspended.
      Leadership now = source.current();
      return now.term() == term && now.isLeader() && !gate.closed()
          && rule.leaseLeft(now.leaseDeadlineNanos(), System.nanoTime());
    }

    /** The latest lease deadline of this instance's term seen in the election's snapshot. */
    private long leaseEnd;
    private boolean leaseEndKnown;

    /**
     * Whether the lease of this instance's term has ended by the monotonic clock: past the latest
     * deadline of this term the election's own snapshot has shown (read now and at each earlier
     * call; a term's deadline only grows). Not "no longer leader": after a step-down the lease of
     * the term still holds off every successor until its deadline (docs/ELECTION.md §4), so the
     * instance may finish, and handle its stop message, until then. Weaker than
     * {@code !leaseValid()}, which also says "about to end" (the manager's timer acts there).
     */
    synchronized boolean leaseEnded() {
      Leadership now = source.current();
      if (now.term() == term && now.isLeader()
          && (!leaseEndKnown || now.leaseDeadlineNanos() - leaseEnd > 0)) {
        leaseEnd = now.leaseDeadlineNanos();
        leaseEndKnown = true;
      }
      return !leaseEndKnown || System.nanoTime() - leaseEnd >= 0;
    }

    @Override
    public Optional<DeliveryId> currentDelivery() {
      return cursor.current();
    }

    @Override
    public void withholdConfirmation() {
      cursor.withhold();
    }

    @Override
    public NodeId node() {
      return self;
    }

    @Override
    public String name() {
      return singleton.name();
    }
  }
}
