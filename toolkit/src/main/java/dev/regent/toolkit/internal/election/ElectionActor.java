package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.config.NodeNames;
import dev.regent.toolkit.election.ElectionCore;
import dev.regent.toolkit.election.ElectionEffect;
import dev.regent.toolkit.election.ElectionEvent;
import dev.regent.toolkit.election.ElectionMessage;
import dev.regent.toolkit.election.Lineage;
import dev.regent.toolkit.election.NodeId;
import dev.regent.toolkit.election.NodeState;
import dev.regent.toolkit.election.Role;
import dev.regent.toolkit.election.Step;
import dev.regent.toolkit.election.StepDownReason;
import dev.regent.toolkit.election.wire.ElectionEnvelope;
import dev.regent.toolkit.election.wire.ElectionProtocol;
import dev.regent.toolkit.election.wire.MalformedMessage;
import dev.regent.toolkit.election.wire.NodeHello;
import dev.regent.toolkit.election.wire.PeerEnvelope;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.metrics.RegentMetrics;
import dev.regent.toolkit.state.DurableStateStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
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
import dev.regent.toolkit.logging.RateLimitedLog;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.cluster.typed.Unsubscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The thin shell around {@link ElectionCore} on one node: it feeds the core peer messages, one
 * timer and cluster membership, and carries out the core's effects in order (persist with fsync,
 * send, publish leadership). All decisions are the core's; this class only translates.
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
      permits Transfer, Retire, HandOverTasksDone, Tick,
          MemberChanged, ReachabilityChanged {}

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
  private final ActorRef<ClusterEvent.MemberEvent> memberEvents;
  private final ActorRef<ClusterEvent.ReachabilityEvent> reachabilityEvents;
  private final ElectionCore core;
  private final DurableStateStore store;
  private final String selfName;
  private final UniqueAddress selfUnique;
  private final String selfAddressText;
  private final boolean customNames;
  private final ActorRefResolver resolver;
  private final Cluster cluster;
  private final RegentMetrics metrics;
  private final RateLimitedLog badInput = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));
  /** Messages the core refused (foreign lineage, no lineage, implausible term). */
  private final RateLimitedLog rejectedLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));
  /** Bootstrap progress of a node without a configuration (repeats every election timeout). */
  private final RateLimitedLog bootstrapLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(30));
  /** Transfer and Retire requests waiting for this node to stop leading. */
  private final List<ActorRef<Done>> awaitingStepDown = new ArrayList<>();

  private final Map<UniqueAddress, Member> members = new HashMap<>();
  /** With configured names only: names learned from peers' hellos and envelopes. */
  private final Map<UniqueAddress, String> learnedNames = new HashMap<>();
  private Map<String, Address> nameToAddress = Map.of();
  private final Map<Address, ActorRef<ElectionProtocol>> refs = new HashMap<>();
  private SortedSet<String> eligible = new TreeSet<>();

  private NodeState state;
  private boolean leading;
  private long leaseDeadline;
  private Optional<NodeId> leader = Optional.empty();
  private Optional<Address> leaderAddress = Optional.empty();
  private boolean cleanedUp;
  /** The event of the step being applied (for log reasons only); null at start. */
  private ElectionEvent stepEvent;
  /** The other leader this node lost and not replaced since (for the reason of an election). */
  private String lostLeader;

  static Behavior<ElectionProtocol> create(ElectionRuntime rt) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new ElectionActor(ctx, timers, rt)));
  }

  private ElectionActor(ActorContext<ElectionProtocol> ctx, TimerScheduler<ElectionProtocol> timers,
      ElectionRuntime rt) {
    super(ctx);
    this.rt = rt;
    this.timers = timers;
    this.metrics = rt.metrics();
    this.core = new ElectionCore(rt.settings().timings(), rt.settings().policy());
    this.selfName = rt.selfName();
    this.selfUnique = rt.selfUniqueAddress();
    this.selfAddressText = rt.selfAddress().toString();
    this.customNames = !NodeNames.fromAddress(rt.selfAddress()).equals(Optional.of(selfName));
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    this.cluster = Cluster.get(ctx.getSystem());
    this.memberEvents = ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new);
    this.reachabilityEvents =
        ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new);
    this.store = DurableStateStore.open(rt.settings().stateDirectory(), selfName);
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
        cluster.state().getMembers().forEach(m -> members.put(m.uniqueAddress(), m));
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
        .onSignal(PreRestart.class, s -> {
          cleanUp();
          return this;
        })
        .onSignal(PostStop.class, s -> {
          withMdc(this::onStop);
          return this;
        })
        .onMessage(ElectionProtocol.class, this::guarded)
        .build();
  }

  /** Every message goes through here: on any failure, drop the lease first, then crash. */
  private Behavior<ElectionProtocol> guarded(ElectionProtocol msg) {
    try {
      withMdc(() -> dispatch(msg));
      return this;
    } catch (Exception e) {
      withMdc(() -> onCrash(e));
      throw ElectionActor.<RuntimeException>sneaky(e);
    }
  }

  private void dispatch(ElectionProtocol msg) {
    if (msg == Tick.INSTANCE) {
      step(new ElectionEvent.Tick(System.nanoTime()));
    } else if (msg instanceof PeerEnvelope p) {
      onPeer(p);
    } else if (msg instanceof MemberChanged e) {
      onMemberEvent(e.event());
    } else if (msg instanceof ReachabilityChanged e) {
      log.debug("Reachability: {} (unreachable members stay voters until removed)", e.event());
    } else if (msg instanceof NodeHello h) {
      onHello(h);
    } else if (msg instanceof Transfer t) {
      step(new ElectionEvent.TransferLeadership(System.nanoTime()));
      replyOnceNotLeading(t.replyTo());
    } else if (msg instanceof Retire r) {
      if (!rt.retiring) {
        rt.retiring = true;
        log.info("Leaving: this node stops campaigning{}", leading ? " and hands over" : "");
      }
      membershipChanged();
      replyOnceNotLeading(r.replyTo());
    } else if (msg instanceof HandOverTasksDone h) {
      onHandOverTasksDone(h);
    } else if (msg instanceof MalformedMessage m) {
      drop("malformed", "Dropped a malformed {} from the network: {}", m.manifest(), m.reason());
    } else if (msg instanceof ElectionEnvelope e) {
      drop("no-sender", "Dropped an election envelope without sender identity: {}", e);
    } else {
      // Another node's local command (ElectionProtocol.Local is open to the shell only).
      drop("unknown", "Dropped a message of unexpected type {}", msg.getClass().getName());
    }
  }

  // ---- peers ----------------------------------------------------------------------------------

  private void onPeer(PeerEnvelope p) {
    Member m = verifiedSender(p.fromAddress(), p.fromUid(), p);
    if (m == null) {
      return;
    }
    ElectionEnvelope e = p.envelope();
    ElectionMessage msg = e.message();
    if (!e.toName().equals(selfName)) {
      drop("wrong-receiver", "Dropped {} meant for node '{}', not this node '{}'",
          describe(msg), e.toName(), selfName);
      return;
    }
    Optional<String> name = nameOf(m);
    if (name.isEmpty() && customNames) {
      learn(m, msg.from().name());
      name = nameOf(m);
    }
    if (name.isEmpty() || !name.get().equals(msg.from().name())) {
      drop("name-mismatch", "Dropped {}: its sender name does not belong to member {} ({})",
          describe(msg), m.address(), name.orElse("unnamed"));
      return;
    }
    if (msg.term() < state.term()) {
      log.debug("{} carries a stale term (ours is {}); the core answers it", describe(msg),
          state.term());
    }
    rt.countReceived(msg);
    if (msg instanceof ElectionMessage.PreVoteResponse pv && !pv.granted()
        && state.role() instanceof Role.PreCandidate) {
      metrics.preVoteRejected(state.term());
    }
    if (log.isDebugEnabled() && !isHeartbeat(msg)) {
      log.debug("Received {}", describe(msg));
    }
    step(new ElectionEvent.Received(System.nanoTime(), msg));
  }

  private void onHello(NodeHello h) {
    Member m = verifiedSender(h.fromAddress(), h.fromUid(), h);
    if (m == null) {
      return;
    }
    if (!customNames) {
      return; // names come from addresses
    }
    if (learn(m, h.name())) {
      sendHello(m);
    }
  }

  /** The member that sent this, if it is a current member in this incarnation; else drops it. */
  private Member verifiedSender(String addressText, long uid, Object what) {
    Address from;
    try {
      from = AddressFromURIString.parse(addressText);
    } catch (Exception ex) { // MalformedURLException, thrown undeclared by Scala code
      drop("bad-address", "Dropped {} with a malformed sender address '{}'", describe(what),
          addressText);
      return null;
    }
    Member m = members.get(UniqueAddress.apply(from, uid));
    if (m != null) {
      return m;
    }
    boolean otherIncarnation = members.keySet().stream().anyMatch(u -> u.address().equals(from));
    if (!selfUp() || rt.retiring) {
      // Joining or leaving: our membership view lags or is being torn down; not worth a warning.
      rt.countDropped();
      log.debug("Dropped {} from {} (uid {}): not a member in this node's view", describe(what),
          from, uid);
    } else if (otherIncarnation) {
      drop("incarnation", "Dropped {} from another incarnation (uid {}) of member {}",
          describe(what), uid, from);
    } else {
      drop("non-member", "Dropped {} from {}, which is not a cluster member", describe(what), from);
    }
    return null;
  }

  private boolean selfUp() {
    Member self = members.get(selfUnique);
    return self != null && self.status() == MemberStatus.up();
  }

  private void drop(String kind, String message, Object... args) {
    rt.countDropped();
    badInput.warn(kind, message, args);
  }

  private static String describe(Object o) {
    if (o instanceof ElectionMessage m) {
      return m.getClass().getSimpleName() + "(term " + m.term() + " from " + m.from() + ")";
    }
    if (o instanceof PeerEnvelope p) {
      return describe(p.envelope().message());
    }
    return o.getClass().getSimpleName();
  }

  private void send(String to, ElectionMessage msg) {
    Address a = nameToAddress.get(to);
    if (a == null) {
      log.debug("No member is named '{}': {} not sent", to, describe(msg));
      return;
    }
    if (log.isDebugEnabled() && !isHeartbeat(msg)) {
      log.debug("Sending {} to {}", describe(msg), to);
    }
    refFor(a).tell(new PeerEnvelope(selfAddressText, selfUnique.longUid(),
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
    Member m = e.member();
    if (e instanceof ClusterEvent.MemberRemoved) {
      members.remove(m.uniqueAddress());
      learnedNames.remove(m.uniqueAddress());
      refs.remove(m.address());
    } else {
      members.put(m.uniqueAddress(), m);
      if (customNames && m.status() == MemberStatus.up() && !m.uniqueAddress().equals(selfUnique)) {
        sendHello(m);
      }
    }
    membershipChanged();
  }

  /** With configured names: binds a member to a name. Returns whether the name was new. */
  private boolean learn(Member m, String name) {
    String old = learnedNames.get(m.uniqueAddress());
    if (name.equals(old)) {
      return false;
    }
    if (old != null || name.equals(selfName) || nameToAddress.containsKey(name)) {
      drop("name-conflict", "Member {} claims name '{}', already taken (or it had '{}')",
          m.address(), name, old);
      return false;
    }
    learnedNames.put(m.uniqueAddress(), name);
    membershipChanged();
    return true;
  }

  private Optional<String> nameOf(Member m) {
    if (m.uniqueAddress().equals(selfUnique)) {
      return Optional.of(selfName);
    }
    if (customNames) {
      return Optional.ofNullable(learnedNames.get(m.uniqueAddress()));
    }
    return NodeNames.fromAddress(m.address());
  }

  private void membershipChanged() {
    var addresses = new HashMap<String, Address>();
    var newEligible = new TreeSet<String>();
    var role = rt.settings().voterRole();
    for (Member m : members.values()) {
      Optional<String> name = nameOf(m);
      if (name.isEmpty()) {
        continue;
      }
      // Prefer the live incarnation when an old one of the same name is still listed.
      if (!addresses.containsKey(name.get()) || m.status() == MemberStatus.up()) {
        addresses.put(name.get(), m.address());
      }
      if (m.status() == MemberStatus.up() && (role.isEmpty() || m.hasRole(role.get()))) {
        newEligible.add(name.get());
      }
    }
    if (rt.retiring) {
      newEligible.remove(selfName);
    }
    nameToAddress = addresses;
    if (!newEligible.equals(eligible)) {
      log.debug("Eligible voters: {}", newEligible);
      eligible = newEligible;
      step(new ElectionEvent.MembershipChanged(System.nanoTime(), newEligible));
    }
  }

  // ---- the core and its effects ---------------------------------------------------------------

  private Step step(ElectionEvent event) {
    Step s = core.step(state, event);
    stepEvent = event;
    try {
      apply(s);
    } finally {
      stepEvent = null;
    }
    return s;
  }

  private void apply(Step s) {
    NodeState prev = state;
    state = s.state();
    rt.setLastState(state);
    MDC.put("term", Long.toString(state.term()));
    metrics.term(state.term());
    if (prev != null) {
      countRoleChange(prev, state);
    }
    for (ElectionEffect effect : s.effects()) {
      if (effect instanceof ElectionEffect.Persist p) {
        store.save(p.state()); // fsync'd before anything after it leaves this node
      } else if (effect instanceof ElectionEffect.Send snd) {
        send(snd.to(), snd.message());
      } else if (effect instanceof ElectionEffect.Elected el) {
        log.info("Won the election of term {}; waiting for a quorum to grant the lease", el.term());
        metrics.electionWon(el.term());
      } else if (effect instanceof ElectionEffect.LeaseAcquired a) {
        leading = true;
        leaseDeadline = a.leaseDeadline();
        updateSnapshot();
        log.info("Leader of term {} with a lease", a.term());
        metrics.becameLeader(a.term());
        rt.publish(new LeadershipEvent.BecameLeader(a.term(), a.leaseDeadline()));
      } else if (effect instanceof ElectionEffect.LeaseRenewed r) {
        leaseDeadline = r.leaseDeadline();
        updateSnapshot();
        metrics.leaseRenewed(r.term());
        rt.publish(new LeadershipEvent.LeaseRenewed(r.term(), r.leaseDeadline()));
      } else if (effect instanceof ElectionEffect.SteppedDown d) {
        leading = false;
        updateSnapshot();
        log.info("Stepped down as leader of term {}: {}", d.term(), d.reason());
        metrics.steppedDown(d.term(), map(d.reason()));
        rt.publish(new LeadershipEvent.SteppedDown(d.term(), map(d.reason())));
      } else if (effect instanceof ElectionEffect.LeaderKnown k) {
        leader = Optional.of(k.leader());
        leaderAddress = Optional.ofNullable(nameToAddress.get(k.leader().name()));
        if (k.leader().name().equals(selfName)) {
          leaderAddress = Optional.of(rt.selfAddress());
        }
        updateSnapshot();
        log.info("Leader of term {} is {}", k.term(), k.leader());
        metrics.leaderKnown(k.term(), k.leader().name());
        leaderAddress.ifPresent(a -> rt.publish(new LeadershipEvent.LeaderKnown(k.leader(), a,
            k.term())));
      } else if (effect instanceof ElectionEffect.LeaderLost l) {
        leader = Optional.empty();
        leaderAddress = Optional.empty();
        updateSnapshot();
        log.info("No leader known in term {}", l.term());
        // A failover, as this node sees it, starts when it last heard the leader it lost.
        metrics.leaderLost(l.term(), prev != null && !prev.isLeader()
            && prev.leaderContactAt() != Long.MIN_VALUE
            ? prev.leaderContactAt() : System.nanoTime());
        rt.publish(new LeadershipEvent.LeaderLost(l.term()));
      } else if (effect instanceof ElectionEffect.ConfigChanged c) {
        rt.setVoterConfig(c.config());
        log.info("Voter configuration {} (lineage {})", c.config(), Lineage.format(c.lineage()));
      } else if (effect instanceof ElectionEffect.ReleaseHosting r) {
        releaseHosting(r.term());
      } else if (effect instanceof ElectionEffect.Rejected r) {
        onRejected(r);
      } else if (effect instanceof ElectionEffect.BootstrapStatus b) {
        if (state.lineage() != Lineage.NONE) {
          log.info("Bootstrap: {}", b.status()); // founded: once per cluster, always logged
        } else {
          bootstrapLog.info(b.status(), "Bootstrap: {}", b.status());
        }
      }
    }
    updateSnapshot();
    if (!state.isLeader() && !awaitingStepDown.isEmpty()) {
      awaitingStepDown.forEach(w -> w.tell(Done.getInstance()));
      awaitingStepDown.clear();
    }
    long delay = Math.max(0, s.wakeAt() - System.nanoTime());
    timers.startSingleTimer(Tick.INSTANCE, Tick.INSTANCE,
        Duration.ofNanos(Math.min(delay, TimeUnit.MINUTES.toNanos(1))));
  }

  // ---- hand-over gate -------------------------------------------------------------------------

  /** Replies now if this node does not lead, else once it has stepped down (see {@link #apply}). */
  private void replyOnceNotLeading(ActorRef<Done> replyTo) {
    if (state.isLeader()) {
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
          : name + " (" + (unwrap(err) instanceof java.util.concurrent.TimeoutException
              ? "not done within hand-over-timeout " + rt.settings().handOverTimeout()
              : "failed: " + unwrap(err)) + ")"));
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
    getContext().pipeToSelf(all, (v, err) -> new HandOverTasksDone(term,
        each.stream().map(CompletableFuture::join).filter(java.util.Objects::nonNull).toList()));
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
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

  private void onRejected(ElectionEffect.Rejected r) {
    ElectionMessage m = r.message();
    rt.countRejected(r.reason());
    String kind = r.reason() + ":" + m.from().name();
    Object address = Optional.ofNullable(nameToAddress.get(m.from().name()))
        .map(Object::toString).orElse("unknown address");
    switch (r.reason()) {
      case FOREIGN_LINEAGE -> rejectedLog.error(kind, "Refused {} from member {} at {}: it belongs"
              + " to lineage {}, this node to lineage {}. Two separately founded clusters are mixed"
              + " in one Pekko cluster (a node that lost its state and founded anew, a blue/green"
              + " roll-back, a wrong seed list); no node of this lineage campaigns or votes while"
              + " it is a member. Operator: decide which lineage is the real one, stop the nodes of"
              + " the other, delete their election state and let them rejoin with"
              + " regent.election.bootstrap.expect = 0 (docs/ELECTION.md, two lineages).",
          describe(m), m.from(), address, Lineage.format(m.lineage()),
          Lineage.format(state.lineage()));
      case NO_LINEAGE -> rejectedLog.warn(kind, "Refused {} from {} at {}: {} no voter"
              + " configuration yet (lineage {}); it is added by the leader's heartbeats",
          describe(m), m.from(), address,
          state.lineage() == Lineage.NONE ? "this node has" : "the sender has",
          Lineage.format(state.lineage() == Lineage.NONE ? m.lineage() : state.lineage()));
      case IMPLAUSIBLE_TERM -> rejectedLog.warn(kind, "Refused {} from {} at {}: its term is more"
              + " than {} ahead of this node's term {} (corrupt or hostile)", describe(m),
          m.from(), address, ElectionCore.MAX_TERM_JUMP, state.term());
      default -> rejectedLog.warn(kind, "Refused {} from {}: {}", describe(m), m.from(),
          r.reason());
    }
  }

  /**
   * Counts elections from role transitions (the core announces only wins): entering PreCandidate
   * starts a pre-vote; entering Candidate, or a new term as Candidate, starts an election; leaving
   * Candidate other than for Leader, or a new term as Candidate, loses one. No allocation.
   */
  private void countRoleChange(NodeState prev, NodeState next) {
    Role from = prev.role();
    Role to = next.role();
    boolean newTerm = next.term() != prev.term();
    if (prev.leader().isPresent() && next.leader().isEmpty()) { // a leader lost: rare
      lostLeader = prev.leader().get().equals(next.self()) ? null
          : prev.leader().get().toString();
    } else if (next.leader().isPresent()) {
      lostLeader = null;
    }
    if (to instanceof Role.PreCandidate && !(from instanceof Role.PreCandidate)) {
      metrics.preVoteStarted(next.term());
    }
    if (from instanceof Role.Candidate && (newTerm || !(to instanceof Role.Candidate))
        && !(to instanceof Role.Leader)) {
      metrics.electionLost(prev.term());
      log.info("Election of term {} ended without a win: {}", prev.term(),
          to instanceof Role.Candidate ? "no majority in time, trying again in term " + next.term()
              : newTerm ? "saw the higher term " + next.term()
              : next.leader().map(l -> l + " won").orElse("another candidate won"));
    }
    if (to instanceof Role.Candidate && (newTerm || !(from instanceof Role.Candidate))) {
      metrics.electionStarted(next.term());
      log.info("Starting an election for term {}: {}", next.term(), electionReason(false));
    } else if (to instanceof Role.Leader && newTerm) {
      // A sole voter becomes candidate and leader within one step.
      metrics.electionStarted(next.term());
      log.info("Starting an election for term {}: {}", next.term(), electionReason(true));
    }
  }

  private String electionReason(boolean soleVoter) {
    if (stepEvent instanceof ElectionEvent.Received r
        && r.message() instanceof ElectionMessage.TimeoutNow t) {
      return "leader " + t.from() + " hands over to this node";
    }
    if (soleVoter) {
      return "this node is the only voter";
    }
    return lostLeader != null
        ? "no heartbeat from leader " + lostLeader + " within the election timeout"
        : "no leader known";
  }

  private void updateSnapshot() {
    rt.setSnapshot(new Leadership(rt.selfId(), state.term(), leader, leaderAddress, leading,
        leading ? leaseDeadline : 0L, state.lineage()));
  }

  private static LeadershipEvent.Reason map(StepDownReason r) {
    return switch (r) {
      case HIGHER_TERM -> LeadershipEvent.Reason.HIGHER_TERM;
      case LEASE_LOST -> LeadershipEvent.Reason.LEASE_LOST;
      case TRANSFER -> LeadershipEvent.Reason.TRANSFER;
      case REMOVED -> LeadershipEvent.Reason.REMOVED;
      case HAND_OVER_TIMED_OUT -> LeadershipEvent.Reason.HAND_OVER_TIMED_OUT;
      case LINEAGE_CONFLICT -> LeadershipEvent.Reason.LINEAGE_CONFLICT;
    };
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

  /** No lease and no leader survive a restart or a stop. */
  private void dropLeadership(LeadershipEvent.Reason reason) {
    long term = state == null ? rt.current().term() : state.term();
    boolean wasLeading = leading;
    boolean knewLeader = leader.isPresent();
    leading = false;
    leader = Optional.empty();
    leaderAddress = Optional.empty();
    // The snapshot first: whoever reacts to the event must already see no lease.
    rt.setSnapshot(new Leadership(rt.selfId(), term, Optional.empty(), Optional.empty(), false,
        0L, state == null ? rt.current().lineage() : state.lineage()));
    // Nothing leads here any more: whoever waits for the step-down may go on.
    awaitingStepDown.forEach(w -> w.tell(Done.getInstance()));
    awaitingStepDown.clear();
    if (wasLeading) {
      log.info("Stepped down as leader of term {}: {}", term, reason);
      metrics.steppedDown(term, reason);
      rt.publish(new LeadershipEvent.SteppedDown(term, reason));
    }
    if (knewLeader) {
      metrics.leaderLost(term, System.nanoTime());
      rt.publish(new LeadershipEvent.LeaderLost(term));
    }
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
    MDC.put("term", state == null ? "" : Long.toString(state.term()));
    try {
      r.run();
    } finally {
      MDC.remove("node");
      MDC.remove("term");
    }
  }
}
