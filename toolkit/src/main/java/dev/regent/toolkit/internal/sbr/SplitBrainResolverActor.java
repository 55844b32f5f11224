package dev.regent.toolkit.internal.sbr;

import dev.regent.toolkit.metrics.RegentMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.Reachability;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.coordination.lease.javadsl.Lease;
import org.apache.pekko.coordination.lease.javadsl.LeaseProvider;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.remote.artery.ThisActorSystemQuarantinedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The one impure part of the resolver: gathers a {@link ClusterView} from cluster events, waits
 * until it has been stable for {@code stable-after}, asks the strategy, and downs with {@code
 * Cluster.down}. Like Pekko's resolver only the cluster leader of a side decides (every node runs
 * the down-all-when-unstable check); members of the own data center only.
 */
public final class SplitBrainResolverActor extends AbstractActorWithTimers {

  private static final Logger log = LoggerFactory.getLogger(SplitBrainResolverActor.class);

  private enum Tick { INSTANCE }

  /** How long a leader nudges for a new incarnation it hinted (its join normally takes ~1-3 s). */
  private static final Duration HINTED_FOR = Duration.ofSeconds(30);

  private enum AcquireNow { INSTANCE }

  private enum ReleaseNow { INSTANCE }

  private record LeaseResult(boolean held, Throwable failure) {}

  private record ReleaseResult(boolean released) {}

  public static Props props(SplitBrainSettings settings) {
    return Props.create(SplitBrainResolverActor.class, () -> new SplitBrainResolverActor(settings));
  }

  private final SplitBrainSettings settings;
  private final Strategy strategy;
  private final Cluster cluster = Cluster.get(getContext().getSystem());
  private final UniqueAddress self = cluster.selfUniqueAddress();
  private final String selfDc = cluster.selfDataCenter();

  private final Map<UniqueAddress, Member> members = new HashMap<>();
  private final Set<UniqueAddress> unreachable = new HashSet<>();
  private List<Reachability.Record> records = List.of();
  /** Members some observer recorded Terminated (an old incarnation on the new one's join). */
  private Set<UniqueAddress> terminated = Set.of();
  /** Members this member itself recorded Terminated (its core did, on a new incarnation's join). */
  private Set<UniqueAddress> terminatedBySelf = Set.of();
  private OptionalLong lastHintedRejoin = OptionalLong.empty();
  /** Old incarnations whose Down this member already gossiped at once (fast rejoin). */
  private final Set<UniqueAddress> gossipedDown = new HashSet<>();
  /** host:port this leader sent a {@link RejoinHint} to, with when (nanos), until the new one is Up. */
  private final Map<String, Long> hinted = new HashMap<>();
  private CoreNudges nudges;
  private Set<Address> seenBy = Set.of();
  private boolean convergence;
  private boolean leader;
  private boolean selfAdded;

  private final Stability stability;

  private Lease lease;
  private Decision.AcquireLease waitingForLease;
  private Set<UniqueAddress> downedWhileHoldingLease;
  private boolean holdingLease;
  private RegentMetrics metrics;

  private SplitBrainResolverActor(SplitBrainSettings settings) {
    this.settings = settings;
    this.strategy = settings.strategy();
    this.stability = new Stability(settings.stableAfter(), settings.downAllWhenUnstable(),
        System.nanoTime());
  }

  @Override
  public void preStart() {
    cluster.subscribe(
        getSelf(), ClusterEvent.initialStateAsEvents(), ClusterEvent.ClusterDomainEvent.class);
    getContext().getSystem().getEventStream()
        .subscribe(getSelf(), ThisActorSystemQuarantinedEvent.class);
    if (strategy instanceof LeaseMajority lm) {
      String owner = self.address().hostPort();
      String name = SplitBrainSettings.leaseName(lm, getContext().getSystem().name());
      lease = LeaseProvider.get(getContext().getSystem())
          .getLease(name, lm.leaseImplementation(), owner);
    }
    nudges = new CoreNudges(getContext().getParent()); // Pekko's cluster core starts this actor
    metrics(); // registers this node's MBean now, also on nodes that run no election
    long tickMs = Math.max(100, Math.min(1000, settings.stableAfter().toMillis() / 4));
    getTimers().startTimerWithFixedDelay(Tick.INSTANCE, Tick.INSTANCE, Duration.ofMillis(tickMs));
    log.info(
        "Regent split-brain resolver started on {}: strategy {}, stable-after {} ms,"
            + " down-all-when-unstable {}{}",
        self.address(), strategy, settings.stableAfter().toMillis(),
        settings.downAllWhenUnstable().isZero()
            ? "off" : settings.downAllWhenUnstable().toMillis() + " ms",
        settings.keepsMajorityWhenUnstable() ? " (keeps a strict majority, others down themselves)"
            : " (downs all)");
  }

  @Override
  public void postStop() {
    cluster.unsubscribe(getSelf());
    getContext().getSystem().getEventStream().unsubscribe(getSelf());
    if (holdingLease) {
      log.info("Split-brain resolver stopped while holding the lease; it expires after the lease"
          + " heartbeat-timeout");
    }
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(ClusterEvent.MemberJoined.class, e -> {
          add(e.member(), false);
          gossipOnHintedJoin(e.member());
          nudge();
        })
        .match(ClusterEvent.MemberWeaklyUp.class, e -> add(e.member(), false))
        .match(ClusterEvent.MemberUp.class, e -> {
          add(e.member(), true);
          hintedUp(e.member());
        })
        .match(ClusterEvent.MemberLeft.class, e -> add(e.member(), false))
        .match(ClusterEvent.MemberExited.class, e -> add(e.member(), true))
        .match(ClusterEvent.MemberDowned.class, e -> {
          add(e.member(), true);
          nudge();
        })
        .match(ClusterEvent.MemberRemoved.class, e -> removed(e.member(), e.previousStatus()))
        .match(ClusterEvent.UnreachableMember.class, e -> reachability(e.member(), false))
        .match(ClusterEvent.ReachableMember.class, e -> reachability(e.member(), true))
        .match(ClusterEvent.ReachabilityChanged.class, e -> {
          records(e.reachability());
          nudge();
        })
        .match(ClusterEvent.SeenChanged.class, e -> {
          seenBy = Set.copyOf(CollectionConverters.asJava(e.seenBy()));
          convergence = e.convergence();
          nudge();
        })
        .match(ClusterEvent.LeaderChanged.class,
            e -> leaderChanged(self.address().equals(e.getLeader())))
        .match(ThisActorSystemQuarantinedEvent.class, this::quarantined)
        .match(RejoinHint.class, this::rejoinHint)
        .match(Tick.class, t -> tick())
        .match(AcquireNow.class, t -> acquireLease())
        .match(LeaseResult.class, this::leaseResult)
        .match(ReleaseNow.class, t -> releaseLease())
        .match(ReleaseResult.class, r -> releaseResult(r.released()))
        .match(ClusterEvent.ClusterDomainEvent.class, e -> { })
        .build();
  }

  // ---- gathering the view ----

  private void add(Member m, boolean resetsStable) {
    if (!selfDc.equals(m.dataCenter())) {
      return;
    }
    members.put(m.uniqueAddress(), m);
    if (m.uniqueAddress().equals(self)
        && (m.status().equals(org.apache.pekko.cluster.MemberStatus.up())
            || m.status().equals(org.apache.pekko.cluster.MemberStatus.weaklyUp()))) {
      selfAdded = true;
    }
    if (resetsStable) {
      stability.membershipChanged(System.nanoTime());
    }
    if (strategy instanceof StaticQuorum sq && m.status().equals(
        org.apache.pekko.cluster.MemberStatus.up())) {
      ClusterView view = buildView();
      int size = view.counted(sq.role()).size();
      if (sq.isTooManyMembers(size)) {
        log.warn("{} members exceed 2 * static-quorum.quorum-size - 1 = {}; if that remains when"
            + " a decision is needed, every member will be downed", size,
            sq.quorumSize() * 2 - 1);
      }
    }
  }

  private void removed(Member m, org.apache.pekko.cluster.MemberStatus previous) {
    if (!selfDc.equals(m.dataCenter())) {
      return;
    }
    if (m.uniqueAddress().equals(self)) {
      getContext().stop(getSelf());
      return;
    }
    members.remove(m.uniqueAddress());
    unreachable.remove(m.uniqueAddress());
    gossipedDown.remove(m.uniqueAddress());
    if (settings.fastRejoin()) {
      hintAfterRemoval(m, previous);
    }
    resetStatsIfAllUnreachableDowned();
    if (downedWhileHoldingLease != null) {
      downedWhileHoldingLease.remove(m.uniqueAddress());
      if (downedWhileHoldingLease.isEmpty()) {
        downedWhileHoldingLease = null;
        getTimers().startSingleTimer(ReleaseNow.INSTANCE, ReleaseNow.INSTANCE,
            releaseAfter());
      }
    }
  }

  private void reachability(Member m, boolean reachable) {
    if (m.uniqueAddress().equals(self) || !selfDc.equals(m.dataCenter())) {
      return;
    }
    int before = unreachable.size();
    members.put(m.uniqueAddress(), m);
    if (reachable) {
      unreachable.remove(m.uniqueAddress());
    } else {
      unreachable.add(m.uniqueAddress());
    }
    stability.reachabilityChanged(System.nanoTime());
    resetStatsIfAllUnreachableDowned();
    if (isResponsible()) {
      if (before == 0 && !unreachable.isEmpty()) {
        log.info("Split-brain resolver on {} found {} unreachable member(s); deciding after {} ms"
            + " of stability", self.address(), unreachable.size(),
            settings.stableAfter().toMillis());
      } else if (before > 0 && unreachable.isEmpty()) {
        log.info("All unreachable members are reachable again within stable-after; no decision");
      }
    }
  }

  private void records(Reachability r) {
    List<Reachability.Record> out = new ArrayList<>();
    Set<UniqueAddress> term = new HashSet<>();
    Set<UniqueAddress> bySelf = new HashSet<>();
    for (Reachability.Record rec : CollectionConverters.asJava(r.records())) {
      if (rec.status() == Reachability.Unreachable$.MODULE$
          || rec.status() == Reachability.Terminated$.MODULE$) {
        out.add(rec);
      }
      if (rec.status() == Reachability.Terminated$.MODULE$) {
        term.add(rec.subject());
        if (rec.observer().equals(self)) {
          bySelf.add(rec.subject());
        }
      }
    }
    records = List.copyOf(out);
    // Kept until the member's removal: the reachability of a removed member may be pruned first.
    for (UniqueAddress u : terminated) {
      if (members.containsKey(u)) {
        term.add(u);
      }
    }
    terminated = Set.copyOf(term);
    terminatedBySelf = Set.copyOf(bySelf);
  }

  // ---- fast rejoin ----

  private void hintAfterRemoval(Member m, org.apache.pekko.cluster.MemberStatus previous) {
    Node removed = node(m.uniqueAddress());
    boolean wasTerminated = terminated.contains(m.uniqueAddress());
    terminated = terminated.stream().filter(u -> !u.equals(m.uniqueAddress()))
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
    List<Node> remaining = members.keySet().stream().map(SplitBrainResolverActor::node).toList();
    if (!Rejoin.hintAfterRemoval(removed, status(previous), wasTerminated, node(self),
        isResponsible(), remaining)) {
      return;
    }
    log.info("Split-brain resolver on {} removed terminated incarnation {}; telling its address that"
        + " a new incarnation may join now", self.address(), removed);
    hinted.put(hostPort(m.uniqueAddress()), System.nanoTime());
    // An actor selection: it passes a quarantine of the old uid and reaches a new incarnation.
    getContext().actorSelection(m.address().toString() + getSelf().path().toStringWithoutAddress())
        .tell(RejoinHint.about(removed), getSelf());
  }

  /**
   * Fast rejoin's nudges to the local cluster core ({@link Rejoin}): gossip a Down this member
   * recorded (an old incarnation refused on its new one's join) at once; as the leader, run the
   * leader actions as soon as the gossip converged while an old incarnation waits for removal or a
   * hinted new one for Up.
   */
  private void nudge() {
    if (!settings.fastRejoin()) {
      return;
    }
    boolean oldIncarnationDown = false;
    boolean hintedJoining = false;
    for (Member m : members.values()) {
      UniqueAddress u = m.uniqueAddress();
      boolean down = m.status().equals(org.apache.pekko.cluster.MemberStatus.down());
      if (down && terminated.contains(u)) {
        oldIncarnationDown = true;
      }
      if (down && !gossipedDown.contains(u)
          && Rejoin.gossipAfterDown(node(u), terminatedBySelf.contains(u), node(self))) {
        gossipedDown.add(u);
        log.debug("Fast rejoin: gossiping the Down of {} now", u);
        gossipToOthers(u);
      }
      if (m.status().equals(org.apache.pekko.cluster.MemberStatus.joining())
          && hinted.containsKey(hostPort(u))) {
        hintedJoining = true;
      }
    }
    if (Rejoin.leaderActionsNow(leader, convergence, oldIncarnationDown, hintedJoining)) {
      log.debug("Fast rejoin: gossip converged, running the leader actions now");
      nudges.leaderActions(getSelf());
    }
  }

  /** Gossips to every member but self and {@code except} that is reachable and not Down. */
  private void gossipToOthers(UniqueAddress except) {
    for (Member o : members.values()) {
      UniqueAddress u = o.uniqueAddress();
      if (!u.equals(self) && !u.equals(except) && !unreachable.contains(u)
          && !terminated.contains(u)
          && !o.status().equals(org.apache.pekko.cluster.MemberStatus.down())) {
        nudges.gossipTo(o.address(), getSelf());
      }
    }
  }

  private void gossipOnHintedJoin(Member m) {
    if (settings.fastRejoin() && selfDc.equals(m.dataCenter())
        && Rejoin.gossipOnHintedJoin(leader, node(m.uniqueAddress()), hinted.keySet())) {
      log.debug("Fast rejoin: {} joined on a hint; gossiping that now", m.address());
      gossipToOthers(m.uniqueAddress());
    }
  }

  /** A hinted new incarnation is Up: the leader tells it (and the others) now. */
  private void hintedUp(Member m) {
    if (hinted.remove(hostPort(m.uniqueAddress())) != null && leader) {
      gossipToOthers(self);
    }
  }

  private static String hostPort(UniqueAddress u) {
    return u.address().getHost().orElse("") + ":" + u.address().getPort().orElse(0);
  }

  private void rejoinHint(RejoinHint hint) {
    long now = System.nanoTime();
    Address from = getSender().path().address();
    Rejoin.Action action = Rejoin.onHint(hint, node(self), members.containsKey(self),
        !cluster.settings().SeedNodes().isEmpty(), now, lastHintedRejoin);
    if (action != Rejoin.Action.REJOIN) {
      log.debug("Rejoin hint from {} about {}:{}#{} ignored: {}", from, hint.host(), hint.port(),
          hint.removedUid(), action);
      return;
    }
    if (from.host().isEmpty()) {
      log.debug("Rejoin hint without a remote sender ignored");
      return;
    }
    lastHintedRejoin = OptionalLong.of(now);
    log.info("{} is a new incarnation at the address of removed member {}#{}; {} removed it: joining"
        + " {} now instead of waiting for the join retry", self.address(), hint.host() + ":"
        + hint.port(), hint.removedUid(), from, from);
    cluster.join(from);
  }

  private void leaderChanged(boolean isLeader) {
    boolean before = isResponsible();
    leader = isLeader;
    if (!before && isResponsible()) {
      log.info("{} is now the leader that takes split-brain decisions for its side",
          self.address());
    } else if (before && !isResponsible()) {
      log.info("{} no longer takes split-brain decisions (not the leader)", self.address());
    }
  }

  private boolean isResponsible() {
    return leader && selfAdded;
  }

  ClusterView buildView() {
    List<ViewMember> ms = new ArrayList<>();
    Set<Node> seen = new HashSet<>();
    for (Member m : members.values()) {
      ms.add(new ViewMember(node(m.uniqueAddress()), status(m), m.upNumber(), m.getRoles()));
      if (seenBy.contains(m.address())) {
        seen.add(node(m.uniqueAddress()));
      }
    }
    Set<Node> un = new HashSet<>();
    for (UniqueAddress u : unreachable) {
      un.add(node(u));
    }
    // Records between members of the own data center only (as Pekko's resolver filters them).
    Set<Unreachability> recs = new HashSet<>();
    for (Reachability.Record rec : records) {
      if (members.containsKey(rec.observer()) && members.containsKey(rec.subject())) {
        recs.add(new Unreachability(node(rec.observer()), node(rec.subject())));
      }
    }
    return new ClusterView(ms, un, recs, seen);
  }

  private static Node node(UniqueAddress u) {
    return new Node(u.address().getHost().orElse(""), u.address().getPort().orElse(0),
        u.longUid());
  }

  private static MemberStatus status(Member m) {
    return status(m.status());
  }

  private static MemberStatus status(org.apache.pekko.cluster.MemberStatus s) {
    if (s.equals(org.apache.pekko.cluster.MemberStatus.joining())) {
      return MemberStatus.JOINING;
    } else if (s.equals(org.apache.pekko.cluster.MemberStatus.weaklyUp())) {
      return MemberStatus.WEAKLY_UP;
    } else if (s.equals(org.apache.pekko.cluster.MemberStatus.leaving())) {
      return MemberStatus.LEAVING;
    } else if (s.equals(org.apache.pekko.cluster.MemberStatus.exiting())) {
      return MemberStatus.EXITING;
    } else if (s.equals(org.apache.pekko.cluster.MemberStatus.down())
        || s.equals(org.apache.pekko.cluster.MemberStatus.removed())) {
      return MemberStatus.DOWN;
    }
    return MemberStatus.UP; // Up, PreparingForShutdown, ReadyForShutdown
  }

  // ---- stability ----

  private void resetStatsIfAllUnreachableDowned() {
    if (stability.changes() == 0) {
      return;
    }
    for (UniqueAddress u : unreachable) {
      Member m = members.get(u);
      if (m != null && !m.status().equals(org.apache.pekko.cluster.MemberStatus.down())
          && !m.status().equals(org.apache.pekko.cluster.MemberStatus.exiting())) {
        return;
      }
    }
    stability.settled();
  }

  private void tick() {
    long now = System.nanoTime();
    hinted.values().removeIf(at -> now - at > HINTED_FOR.toNanos());
    if (waitingForLease != null) {
      return;
    }
    Stability.Verdict verdict = stability.check(System.nanoTime());
    if (verdict instanceof Stability.Verdict.Unstable u) {
      String why = "reachability changed " + u.changes() + " times in " + u.since().toMillis()
          + " ms without a stable period";
      if (!settings.keepsMajorityWhenUnstable()) {
        act(buildView(), new Decision.DownAll(why + " (down-all-when-unstable)"), false);
        stability.settled();
        return;
      }
      if (!selfAdded) {
        return; // not yet Up: no view of its own to judge; the Up members decide
      }
      ClusterView view = buildView();
      Optional<Decision> d = UnstableDecision.decide(view, node(self),
          ((KeepMajority) strategy).role(), isResponsible());
      if (d.isPresent()) {
        Decision decision = d.get();
        act(view, withPrefix(decision, why + "; "), false);
        stability.settled();
      }
      return;
    }
    if (!isResponsible() || !(verdict instanceof Stability.Verdict.Stable)) {
      return;
    }
    ClusterView view = buildView();
    if (!view.needsDecision()) {
      return;
    }
    Decision decision = decide(view);
    if (decision instanceof Decision.AcquireLease al) {
      if (lease.checkLease()) {
        log.info("Split-brain resolver on {} already holds the lease", self.address());
        holdingLease(act(view, al.whenAcquired(), true));
      } else {
        waitingForLease = al;
        log.info("Split-brain resolver ({}) on {}: {}", strategy.name(), self.address(),
            al.reason());
        if (al.delay().isZero()) {
          acquireLease();
        } else {
          getTimers().startSingleTimer(AcquireNow.INSTANCE, AcquireNow.INSTANCE, al.delay());
        }
      }
    } else {
      act(view, decision, false);
    }
  }

  private static Decision withPrefix(Decision d, String prefix) {
    if (d instanceof Decision.DownUnreachable u) {
      return new Decision.DownUnreachable(prefix + u.reason());
    } else if (d instanceof Decision.DownListed l) {
      return new Decision.DownListed(l.nodes(), prefix + l.reason());
    } else if (d instanceof Decision.DownSelf ds) {
      return new Decision.DownSelf(ds.self(), prefix + ds.reason());
    }
    return d;
  }

  private Decision decide(ClusterView view) {
    try {
      return strategy.decide(view);
    } catch (RuntimeException e) {
      log.warn("Strategy {} failed on view {}; downing all", strategy.name(), view, e);
      return new Decision.DownAll("strategy failed: " + e);
    }
  }

  /** Downs the decided members (self last); returns the members downed. */
  private Set<UniqueAddress> act(ClusterView view, Decision decision, boolean leaseHeld) {
    withMdc();
    try {
      return actLogged(view, decision, leaseHeld);
    } finally {
      clearMdc();
    }
  }

  /** MDC keys {@code node} and {@code term} (the election's term on this node) for decision logs. */
  private void withMdc() {
    MDC.put("node", metrics().node());
    MDC.put("term", Long.toString(metrics().term()));
  }

  private static void clearMdc() {
    MDC.remove("node");
    MDC.remove("term");
  }

  private Set<UniqueAddress> actLogged(ClusterView view, Decision decision, boolean leaseHeld) {
    Set<Node> nodes;
    try {
      nodes = Downing.nodesToDown(view, decision, leaseHeld);
    } catch (RuntimeException e) {
      decision = new Decision.DownAll("could not resolve " + decision.kind() + ": " + e);
      nodes = Downing.nodesToDown(view, decision);
    }
    Set<UniqueAddress> downed = new HashSet<>();
    if (nodes.isEmpty()) {
      log.debug("Split-brain decision {} downs nobody", decision);
      return downed;
    }
    Node selfNode = node(self);
    List<ViewMember> counted = view.counted(java.util.Optional.empty());
    log.info(
        "Split-brain resolver ({}) on {} decided {}: {}. Downing {}{}. View: {} unreachable of {}"
            + " members{}",
        strategy.name(), self.address(), decision.kind(), decision.reason(), nodes,
        nodes.contains(selfNode) ? " including myself" : "",
        view.unreachable(counted).size(), counted.size(),
        decision instanceof Decision.DownIndirectlyConnected d
            ? ", indirectly connected " + new TreeSet<>(d.indirectlyConnected()) : "");
    for (Member m : members.values()) {
      Node n = node(m.uniqueAddress());
      if (nodes.contains(n) && !m.uniqueAddress().equals(self)) {
        cluster.down(m.address());
        downed.add(m.uniqueAddress());
      }
    }
    if (nodes.contains(selfNode)) {
      cluster.down(self.address());
      downed.add(self);
    }
    stability.decided(System.nanoTime());
    metrics().splitBrainDecision(strategy.name(), decision.kind(), decision.reason(),
        downed.size());
    return downed;
  }

  private RegentMetrics metrics() {
    if (metrics == null) {
      metrics = RegentMetrics.get(Adapter.toTyped(getContext().getSystem()));
    }
    return metrics;
  }

  private void quarantined(ThisActorSystemQuarantinedEvent e) {
    Address remote = e.remoteAddress().address();
    boolean member = members.keySet().stream().anyMatch(u -> u.address().equals(remote));
    if (member) {
      withMdc();
      log.info("Split-brain resolver ({}) decided DownSelf: this system was quarantined by member"
          + " {}. Downing {} (myself)", strategy.name(), remote, self.address());
      cluster.down(self.address());
      metrics().splitBrainDecision(strategy.name(), "DownSelf", "quarantined by " + remote, 1);
      clearMdc();
    } else {
      log.debug("Quarantined by {}, which is not a member; ignoring", remote);
    }
  }

  // ---- lease ----

  private void acquireLease() {
    CompletionStage<LeaseResult> result;
    try {
      result = lease.acquire()
          .handle((held, failure) -> new LeaseResult(failure == null && Boolean.TRUE.equals(held),
              failure));
    } catch (RuntimeException e) {
      result = java.util.concurrent.CompletableFuture.completedFuture(new LeaseResult(false, e));
    }
    Patterns.pipe(result, getContext().getDispatcher()).to(getSelf());
  }

  private void leaseResult(LeaseResult r) {
    Decision.AcquireLease decision = waitingForLease;
    waitingForLease = null;
    if (decision == null) {
      return;
    }
    if (r.failure() != null) {
      log.warn("Acquiring the split-brain lease failed; treating it as denied", r.failure());
    }
    ClusterView view = buildView();
    if (r.held()) {
      holdingLease(act(view, decision.whenAcquired(), true));
    } else {
      act(view, decision.whenDenied(), false);
    }
  }

  private void holdingLease(Set<UniqueAddress> downed) {
    holdingLease = true;
    if (downed.isEmpty()) {
      getTimers().startSingleTimer(ReleaseNow.INSTANCE, ReleaseNow.INSTANCE, releaseAfter());
    } else {
      downedWhileHoldingLease = new HashSet<>(downed);
    }
  }

  private Duration releaseAfter() {
    return ((LeaseMajority) strategy).releaseAfter();
  }

  private void releaseLease() {
    if (lease != null && holdingLease) {
      Patterns.pipe(lease.release().handle((ok, failure) -> new ReleaseResult(failure == null
          && Boolean.TRUE.equals(ok))), getContext().getDispatcher()).to(getSelf());
    }
  }

  private void releaseResult(boolean released) {
    if (released) {
      holdingLease = false;
      log.info("Split-brain resolver released the lease");
    }
  }
}
