package dev.regent.toolkit.internal.shell;

import dev.regent.toolkit.internal.election.ElectionCore;
import dev.regent.toolkit.internal.election.ElectionEvent;
import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.internal.election.Step;
import dev.regent.toolkit.internal.logging.RateLimitedLog;
import dev.regent.toolkit.internal.state.DurableStateStore;
import dev.regent.toolkit.internal.wire.ElectionEnvelope;
import dev.regent.toolkit.internal.wire.ElectionProtocol;
import dev.regent.toolkit.internal.wire.MalformedMessage;
import dev.regent.toolkit.internal.wire.NodeHello;
import dev.regent.toolkit.internal.wire.PeerEnvelope;
import dev.regent.toolkit.leadership.LeadershipEvent;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.cluster.typed.Unsubscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The actor around {@link ElectionCore} on one node: it feeds the core peer messages (checked
 * against the {@link PeerDirectory}), one timer and cluster membership, and hands each step's
 * effects to the {@link EffectInterpreter}. Besides translating, it owns the hand-over gate (it
 * runs the hand-over tasks when the core asks to release hosting) and answers transfer and retire
 * requests once this node no longer leads.
 *
 * <p>Runs under back-off supervision: on a failure it first tells subscribers that any lease is
 * gone ({@code SteppedDown(RESTARTED)}), closes its state store, and the restarted actor reloads
 * the durable state, starting as a follower. Internal API.
 */
public final class ElectionActor extends AbstractBehavior<ElectionProtocol> {

  /**
   * The commands this node gives its election actor. Peers' messages are the other half of
   * {@link ElectionProtocol} (the wire types, as they come off the network).
   */
  sealed interface Command extends ElectionProtocol.Local
      permits Transfer, Retire, HandOverTasksDone, Tick, MemberChanged, ReachabilityChanged {}

  /**
   * Hand leadership over now; replies once this node no longer leads (at once if it does not). The
   * step-down waits for this node's singletons to stop (the hand-over tasks), at most
   * {@code hand-over-timeout}.
   */
  public record Transfer(ActorRef<Done> replyTo) implements Command {}

  /**
   * Graceful leave: stop campaigning for good and hand leadership over if leading; replies once
   * this node no longer leads.
   */
  public record Retire(ActorRef<Done> replyTo) implements Command {}

  /**
   * The hand-over tasks run for {@code ReleaseHosting(term)} have all finished; {@code failures}
   * names those that failed or did not finish in time (empty: all stopped).
   */
  private record HandOverTasksDone(long term, List<String> failures) implements Command {}

  /** The core's wake-up time has come. */
  private enum Tick implements Command { INSTANCE }

  /** A cluster membership event, through a message adapter. */
  private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {}

  /** A cluster reachability event, through a message adapter. */
  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

  private static final Logger log = LoggerFactory.getLogger(ElectionActor.class);

  private final ElectionRuntime rt;
  private final TimerScheduler<ElectionProtocol> timers;

  private static final long NO_TICK = Long.MIN_VALUE;

  /** The core's wake-up time the pending Tick timer was started for; {@link #NO_TICK} if none. */
  private long tickAt = NO_TICK;
  private final ActorRef<ClusterEvent.MemberEvent> memberEvents;
  private final ActorRef<ClusterEvent.ReachabilityEvent> reachabilityEvents;
  private final ElectionCore core;
  private final DurableStateStore store;
  private final String selfName;
  private final UniqueAddress selfUnique;
  private final String selfAddressText;
  private final ActorRefResolver resolver;
  private final Cluster cluster;
  private final PeerDirectory peers;
  private final EffectInterpreter effects;
  private final RateLimitedLog badInput = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));
  /** Transfer and Retire requests waiting for this node to stop leading. */
  private final List<ActorRef<Done>> awaitingStepDown = new ArrayList<>();
  private final Map<Address, ActorRef<ElectionProtocol>> refs = new HashMap<>();
  private boolean cleanedUp;

  static Behavior<ElectionProtocol> create(ElectionRuntime rt) {
    return Behaviors.setup(ctx ->
        Behaviors.withTimers(timers -> new ElectionActor(ctx, timers, rt)));
  }

  private ElectionActor(ActorContext<ElectionProtocol> ctx, TimerScheduler<ElectionProtocol> timers,
      ElectionRuntime rt) {
    super(ctx);
    this.rt = rt;
    this.timers = timers;
    this.core = new ElectionCore(rt.settings().timings(), rt.settings().policy());
    this.selfName = rt.selfName();
    this.selfUnique = rt.selfUniqueAddress();
    this.selfAddressText = rt.selfAddress().toString();
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    this.cluster = Cluster.get(ctx.getSystem());
    this.memberEvents = ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new);
    this.reachabilityEvents =
        ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new);
    this.peers = new PeerDirectory(selfName, selfUnique, rt.settings().voterRole());
    this.store = DurableStateStore.open(rt.settings().stateDirectory(), selfName);
    this.effects = new EffectInterpreter(rt, store, peers, new EffectInterpreter.Shell() {
      @Override
      public void send(String to, ElectionMessage message) {
        ElectionActor.this.send(to, message);
      }

      @Override
      public void releaseHosting(long term) {
        ElectionActor.this.releaseHosting(term);
      }
    });
    try {
      if (!store.self().equals(rt.selfId())) {
        throw new IllegalStateException("the election state in " + store.stateFile()
            + " now belongs to " + store.self() + ", but this node started as " + rt.selfId());
      }
      withMdc(() -> {
        Step first = core.start(store.self(), store.load(), System.nanoTime(),
            new SecureRandom().nextLong());
        log.debug("Election actor started as {} in term {}", store.self(), first.state().term());
        apply(first);
      });
      // Seed the membership now, so a restarted actor does not drop peers' messages while it
      // waits for the subscription's first events.
      withMdc(() -> {
        peers.seed(cluster.state().getMembers());
        membershipChanged();
      });
      cluster.subscriptions().tell(Subscribe.create(memberEvents, ClusterEvent.MemberEvent.class));
      cluster.subscriptions().tell(
          Subscribe.create(reachabilityEvents, ClusterEvent.ReachabilityEvent.class));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  @Override
  public Receive<ElectionProtocol> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, () -> guarded(() -> {
          tickAt = NO_TICK; // this timer has fired
          step(new ElectionEvent.Tick(System.nanoTime()));
        }))
        .onMessage(PeerEnvelope.class, p -> guarded(() -> onPeer(p)))
        .onMessage(NodeHello.class, h -> guarded(() -> onHello(h)))
        .onMessage(MemberChanged.class, e -> guarded(() -> onMemberEvent(e.event())))
        .onMessage(ReachabilityChanged.class, e -> guarded(() -> log.debug(
            "Reachability: {} (unreachable members stay voters until removed)", e.event())))
        .onMessage(Transfer.class, t -> guarded(() -> {
          step(new ElectionEvent.TransferLeadership(System.nanoTime()));
          replyOnceNotLeading(t.replyTo());
        }))
        .onMessage(Retire.class, r -> guarded(() -> onRetire(r)))
        .onMessage(HandOverTasksDone.class, h -> guarded(() -> onHandOverTasksDone(h)))
        .onMessage(MalformedMessage.class, m -> guarded(() -> drop("malformed",
            "Dropped a malformed {} from the network: {}", m.manifest(), m.reason())))
        .onMessage(ElectionEnvelope.class, e -> guarded(() -> drop("no-sender",
            "Dropped an election envelope without sender identity: {}", e)))
        .onMessage(ElectionProtocol.Local.class, m -> guarded(() -> drop("unknown",
            "Dropped a message of unexpected type {}", m.getClass().getName())))
        .onSignal(PreRestart.class, s -> {
          cleanUp();
          return this;
        })
        .onSignal(PostStop.class, s -> {
          withMdc(this::onStop);
          return this;
        })
        .build();
  }

  /** Every message goes through here: on any failure, drop the lease first, then crash. */
  private Behavior<ElectionProtocol> guarded(Runnable handler) {
    try {
      withMdc(handler);
      return this;
    } catch (Exception e) {
      withMdc(() -> onCrash(e));
      throw ElectionActor.<RuntimeException>sneaky(e);
    }
  }

  // ---- peers ----------------------------------------------------------------------------------

  private void onPeer(PeerEnvelope p) {
    ElectionMessage msg = p.envelope().message();
    Member m = verifiedSender(p.fromAddress(), p.fromUid(), msg);
    if (m == null) {
      return;
    }
    String describe = EffectInterpreter.describe(msg);
    if (!p.envelope().toName().equals(selfName)) {
      drop("wrong-receiver", "Dropped {} meant for node '{}', not this node '{}'", describe,
          p.envelope().toName(), selfName);
      return;
    }
    Optional<String> name = peers.nameOf(m);
    if (name.isEmpty() && peers.customNames()) {
      learn(m, msg.from().name());
      name = peers.nameOf(m);
    }
    if (name.isEmpty() || !name.get().equals(msg.from().name())) {
      drop("name-mismatch", "Dropped {}: its sender name does not belong to member {} ({})",
          describe, m.address(), name.orElse("unnamed"));
      return;
    }
    long term = effects.state().term();
    if (msg.term() < term) {
      log.debug("{} carries a stale term (ours is {}); the core answers it", describe, term);
    }
    rt.countReceived(msg);
    if (log.isDebugEnabled() && !isHeartbeat(msg)) {
      log.debug("Received {}", describe);
    }
    step(new ElectionEvent.Received(System.nanoTime(), msg));
  }

  private void onHello(NodeHello h) {
    Member m = verifiedSender(h.fromAddress(), h.fromUid(), h);
    if (m == null || !peers.customNames()) {
      return; // without configured names, names come from addresses
    }
    if (learn(m, h.name())) {
      sendHello(m);
    }
  }

  /** With configured names: binds a member to a name. Returns whether the name was new. */
  private boolean learn(Member m, String name) {
    Optional<String> old = peers.learnedName(m);
    switch (peers.learn(m, name)) {
      case NEW -> {
        membershipChanged();
        return true;
      }
      case CONFLICT -> {
        drop("name-conflict", "Member {} claims name '{}', already taken (or it had '{}')",
            m.address(), name, old.orElse(null));
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  /** The member that sent this, if it is a current member in this incarnation; else drops it. */
  private Member verifiedSender(String addressText, long uid, Object what) {
    PeerDirectory.Sender s = peers.sender(addressText, uid, rt.retiring);
    if (s.member().isPresent()) {
      return s.member().get();
    }
    String describe = what instanceof ElectionMessage em ? EffectInterpreter.describe(em)
        : what.getClass().getSimpleName();
    Object from = s.address().map(Object::toString).orElse(addressText);
    switch (s.refusal().orElseThrow()) {
      case MALFORMED_ADDRESS -> drop("bad-address",
          "Dropped {} with a malformed sender address '{}'", describe, addressText);
      case NOT_A_MEMBER_WHILE_JOINING_OR_LEAVING -> {
        // Joining or leaving: our membership view lags or is being torn down; not worth a warning.
        rt.countDropped("joining-or-leaving");
        log.debug("Dropped {} from {} (uid {}): not a member in this node's view", describe, from,
            uid);
      }
      case OTHER_INCARNATION -> drop("incarnation",
          "Dropped {} from another incarnation (uid {}) of member {}", describe, uid, from);
      case NOT_A_MEMBER -> drop("non-member", "Dropped {} from {}, which is not a cluster member",
          describe, from);
    }
    return null;
  }

  private void drop(String kind, String message, Object... args) {
    rt.countDropped(kind);
    badInput.warn(kind, message, args);
  }

  private void send(String to, ElectionMessage msg) {
    Optional<Address> a = peers.addressOf(to);
    if (a.isEmpty()) {
      log.debug("No member is named '{}': {} not sent", to, EffectInterpreter.describe(msg));
      return;
    }
    if (log.isDebugEnabled() && !isHeartbeat(msg)) {
      log.debug("Sending {} to {}", EffectInterpreter.describe(msg), to);
    }
    refFor(a.get()).tell(new PeerEnvelope(selfAddressText, selfUnique.longUid(),
        new ElectionEnvelope(to, msg)));
  }

  private static boolean isHeartbeat(ElectionMessage m) {
    return m instanceof ElectionMessage.Heartbeat || m instanceof ElectionMessage.HeartbeatAck;
  }

  private void sendHello(Member m) {
    refFor(m.address()).tell(new NodeHello(selfName, selfAddressText, selfUnique.longUid()));
  }

  private ActorRef<ElectionProtocol> refFor(Address a) {
    return refs.computeIfAbsent(a,
        x -> resolver.<ElectionProtocol>resolveActorRef(x.toString() + ElectionRuntime.ACTOR_PATH));
  }

  // ---- membership -----------------------------------------------------------------------------

  private void onMemberEvent(ClusterEvent.MemberEvent e) {
    if (e instanceof ClusterEvent.MemberRemoved) {
      refs.remove(e.member().address());
    }
    if (peers.apply(e)) {
      sendHello(e.member());
    }
    membershipChanged();
  }

  private void onRetire(Retire r) {
    if (!rt.retiring) {
      rt.retiring = true;
      log.info("Leaving: this node stops campaigning{}",
          effects.state().isLeader() ? " and hands over" : "");
    }
    membershipChanged();
    replyOnceNotLeading(r.replyTo());
  }

  private void membershipChanged() {
    peers.refresh(rt.retiring).ifPresent(eligible -> {
      log.debug("Eligible voters: {}", eligible);
      step(new ElectionEvent.MembershipChanged(System.nanoTime(), eligible));
    });
  }

  // ---- the core -------------------------------------------------------------------------------

  private void step(ElectionEvent event) {
    apply(core.step(effects.state(), event));
  }

  private void apply(Step s) {
    effects.apply(s);
    if (!s.state().isLeader() && !awaitingStepDown.isEmpty()) {
      awaitingStepDown.forEach(w -> w.tell(Done.getInstance()));
      awaitingStepDown.clear();
    }
    // Restart the timer only when the core wants to wake at another time. Restarting it on every
    // step (every heartbeat acknowledgement) cancelled a Tick already queued behind the message
    // being handled, so under CPU starvation heartbeats went out a scheduler tick late or later,
    // and each restart cost a cancel and a schedule even when idle.
    if (s.wakeAt() != tickAt) {
      long delay = Math.max(0, s.wakeAt() - System.nanoTime());
      timers.startSingleTimer(Tick.INSTANCE, Tick.INSTANCE,
          Duration.ofNanos(Math.min(delay, TimeUnit.MINUTES.toNanos(1))));
      tickAt = s.wakeAt();
    }
  }

  // ---- hand-over gate -------------------------------------------------------------------------

  /** Replies now if this node does not lead, else once it has stepped down (see {@link #apply}). */
  private void replyOnceNotLeading(ActorRef<Done> replyTo) {
    if (effects.state().isLeader()) {
      awaitingStepDown.add(replyTo);
    } else {
      replyTo.tell(Done.getInstance());
    }
  }

  /**
   * The core hands over only once nothing hosted under {@code term} runs: runs every hand-over
   * task (the singletons' stops) concurrently, each bounded by {@code hand-over-timeout}, and
   * feeds {@code HostingReleased} when all of them completed successfully. Never blocks.
   */
  private void releaseHosting(long term) {
    var tasks = rt.handOverTasks();
    log.info("Handing over leadership of term {}: first stopping what this node hosts ({})", term,
        tasks.isEmpty() ? "nothing registered" : tasks.stream().map(Map.Entry::getKey).toList());
    long timeoutNanos = rt.settings().handOverTimeout().toNanos();
    var each = new ArrayList<CompletableFuture<String>>();
    for (var task : tasks) {
      CompletableFuture<Done> f;
      try {
        f = task.getValue().get().toCompletableFuture();
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      String name = task.getKey();
      each.add(f.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS).handle((d, err) -> err == null
          ? null
          : name + " (" + (unwrap(err) instanceof TimeoutException
              ? "not done within hand-over-timeout " + rt.settings().handOverTimeout()
              : "failed: " + unwrap(err)) + ")"));
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
    getContext().pipeToSelf(all, (v, err) -> new HandOverTasksDone(term,
        each.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList()));
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void onHandOverTasksDone(HandOverTasksDone h) {
    if (h.failures().isEmpty()) {
      log.info("Everything hosted under term {} has stopped: handing over", h.term());
      step(new ElectionEvent.HostingReleased(System.nanoTime(), h.term()));
      return;
    }
    // No HostingReleased: the core's hand-over timeout steps down without asking a successor to
    // start early, so the next leader waits out this node's lease (the promise covers it).
    log.error("NOT handing over leadership of term {}: {} did not confirm its stop. This node steps"
        + " down without asking a successor to start early; the next leader is elected only after"
        + " this node's lease has run out. A singleton must stop cooperatively within its"
        + " stop-timeout (no blocking handler, no long PostStop), or it may still run when the next"
        + " one starts.", h.term(), String.join(", ", h.failures()));
  }

  // ---- failure and stop -----------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private static <E extends Exception> E sneaky(Exception e) throws E {
    throw (E) e;
  }

  private void onCrash(Exception e) {
    rt.countRestart();
    log.warn("Election actor failed; it restarts from its durable state after a back-off", e);
    dropLeadership(LeadershipEvent.Reason.RESTARTED);
    cleanUp();
  }

  private void onStop() {
    dropLeadership(LeadershipEvent.Reason.SHUTDOWN);
    cleanUp();
  }

  /** No lease and no leader survive a restart or a stop; who waits for the step-down goes on. */
  private void dropLeadership(LeadershipEvent.Reason reason) {
    effects.dropLeadership(reason);
    awaitingStepDown.forEach(w -> w.tell(Done.getInstance()));
    awaitingStepDown.clear();
  }

  private void cleanUp() {
    if (cleanedUp) {
      return;
    }
    cleanedUp = true;
    timers.cancelAll();
    store.close();
    cluster.subscriptions().tell(new Unsubscribe<>(memberEvents));
    cluster.subscriptions().tell(new Unsubscribe<>(reachabilityEvents));
  }

  private void withMdc(Runnable r) {
    MDC.put("node", selfName);
    MDC.put("term", effects.state() == null ? "" : Long.toString(effects.state().term()));
    try {
      r.run();
    } finally {
      MDC.remove("node");
      MDC.remove("term");
    }
  }
}
