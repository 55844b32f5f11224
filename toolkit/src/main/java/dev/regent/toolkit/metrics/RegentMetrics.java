package dev.regent.toolkit.metrics;

import dev.regent.toolkit.internal.config.NodeNames;
import dev.regent.toolkit.leadership.LeadershipEvent;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.management.ObjectName;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Per-node metrics of Regent: the election as this node sees it, failovers, lease renewals,
 * step-downs, singleton proxies and split-brain decisions. One instance per actor system ({@code
 * RegentMetrics.get(system)}); it registers the JMX MBean {@code dev.regent:type=Election,
 * node=<node name>} on creation and unregisters it when the actor system terminates.
 *
 * <p>Writers are Regent's actors; readers (JMX, listeners, the status endpoint) may be any thread.
 * Counters are atomics, gauges volatile fields: recording allocates nothing.
 *
 * <p>This class keeps the election's counters and gauges as this node sees them; the parts
 * around it live apart: listener fan-out ({@link MetricsListeners}), JMX registration ({@link
 * MBeanRegistration}), singleton gauges ({@link SingletonRegistry}), split-brain counters ({@link
 * SplitBrainCounters}) and JFR events ({@link RegentJfr}).
 */
public final class RegentMetrics implements Extension {

  /** The JMX domain of Regent's MBeans. */
  public static final String JMX_DOMAIN = "dev.regent";

  private static final class Id extends ExtensionId<RegentMetrics> {
    @Override
    public RegentMetrics createExtension(ActorSystem<?> system) {
      return new RegentMetrics(system);
    }
  }

  private static final Id ID = new Id();

  /** The metrics of {@code system}, created (and registered with JMX) on first call. */
  public static RegentMetrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private static final LeadershipEvent.Reason[] REASONS = LeadershipEvent.Reason.values();

  private final String node;
  private final MBeanRegistration registration;
  private final MetricsListeners listeners = new MetricsListeners();
  private final SingletonRegistry singletons = new SingletonRegistry();
  private final SplitBrainCounters splitBrain = new SplitBrainCounters();
  private final PeerInputCounters peerInput = new PeerInputCounters();

  private final AtomicLong preVotesStarted = new AtomicLong();
  private final AtomicLong preVotesRejected = new AtomicLong();
  private final AtomicLong electionsStarted = new AtomicLong();
  private final AtomicLong electionsWon = new AtomicLong();
  private final AtomicLong electionsLost = new AtomicLong();
  private final AtomicLong leasesAcquired = new AtomicLong();
  private final AtomicLong leaseRenewals = new AtomicLong();
  private final AtomicLong leaderChanges = new AtomicLong();
  private final AtomicLongArray stepDowns = new AtomicLongArray(REASONS.length);

  private volatile long term;
  private volatile String leader = "";
  private volatile long leaderKnownSince; // nanos; meaningful when leader is non-empty
  private volatile boolean leading;
  private volatile long leadingSince;
  private volatile long lastTenureNanos;

  private volatile long leaderlessSince = System.nanoTime(); // a node starts without a leader
  private volatile boolean leaderless = true;
  private volatile long lastLeaderlessNanos;
  private final AtomicLong totalLeaderlessNanos = new AtomicLong();

  /** When a known leader was lost, until a leader is known again (0 = no failover under way). */
  private volatile long failoverSince;
  /** When a known leader was lost, until a singleton runs again on this node (0 = none). */
  private volatile long singletonFailoverSince;
  private final AtomicLong failovers = new AtomicLong();
  private volatile long lastFailoverNanos;
  private volatile long maxFailoverNanos;
  private volatile long lastSingletonFailoverNanos;

  private RegentMetrics(ActorSystem<?> system) {
    this.node = nodeName(system);
    this.registration = MBeanRegistration.register(
        MBeanRegistration.objectName("Election", node), new ElectionMetrics(this));
    system.getWhenTerminated().thenRun(registration::unregister);
  }

  private static String nodeName(ActorSystem<?> system) {
    var config = system.settings().config();
    String configured = config.hasPath("regent.election.node-name")
        ? config.getString("regent.election.node-name") : "";
    if (!configured.isEmpty()) {
      return configured;
    }
    return NodeNames.fromAddress(system.address()).orElse(system.name());
  }

  /** This node's name (as in the MBean's object name). */
  public String node() {
    return node;
  }

  /** The object name of this node's MBean. */
  public ObjectName objectName() {
    return registration.objectName();
  }

  // ---- listeners ----------------------------------------------------------------------------

  /** Adds a listener; it sees events from now on. */
  public void addListener(RegentMetricsListener l) {
    listeners.add(l);
  }

  public void removeListener(RegentMetricsListener l) {
    listeners.remove(l);
  }

  // ---- recording: election (called by the election actor, one thread) ------------------------

  /** The current term (called after every step; a volatile write). */
  public void term(long t) {
    term = t;
  }

  public void preVoteStarted(long t) {
    preVotesStarted.incrementAndGet();
    listeners.fire(RegentMetricsListener::onPreVoteStarted, t);
  }

  public void preVoteRejected(long t) {
    preVotesRejected.incrementAndGet();
    listeners.fire(RegentMetricsListener::onPreVoteRejected, t);
  }

  public void electionStarted(long t) {
    electionsStarted.incrementAndGet();
    RegentJfr.election(node, t, "started");
    listeners.fire(RegentMetricsListener::onElectionStarted, t);
  }

  public void electionWon(long t) {
    electionsWon.incrementAndGet();
    RegentJfr.election(node, t, "won");
    listeners.fire(RegentMetricsListener::onElectionWon, t);
  }

  public void electionLost(long t) {
    electionsLost.incrementAndGet();
    RegentJfr.election(node, t, "lost");
    listeners.fire(RegentMetricsListener::onElectionLost, t);
  }

  public void becameLeader(long t) {
    leasesAcquired.incrementAndGet();
    leadingSince = System.nanoTime();
    leading = true;
    listeners.fire(RegentMetricsListener::onBecameLeader, t);
  }

  /** Hot path on the leader: one atomic increment, no allocation. */
  public void leaseRenewed(long t) {
    leaseRenewals.incrementAndGet();
    listeners.fire(RegentMetricsListener::onLeaseRenewed, t);
  }

  public void steppedDown(long t, LeadershipEvent.Reason reason) {
    stepDowns.incrementAndGet(reason.ordinal());
    long tenure = leading ? System.nanoTime() - leadingSince : 0L;
    leading = false;
    lastTenureNanos = tenure;
    RegentJfr.leaseLost(node, t, reason.name(), tenure);
    listeners.fire((l, tm) -> l.onSteppedDown(tm, reason, tenure), t);
  }

  public void leaderKnown(long t, String leaderName) {
    long now = System.nanoTime();
    String previous = leader;
    leader = leaderName;
    leaderKnownSince = now;
    leaderChanges.incrementAndGet();
    if (leaderless) {
      leaderless = false;
      long d = now - leaderlessSince;
      lastLeaderlessNanos = d;
      totalLeaderlessNanos.addAndGet(d);
      listeners.fire(RegentMetricsListener::onLeaderlessPeriodEnded, d);
    }
    long since = failoverSince;
    if (since != 0) {
      failoverSince = 0;
      long d = now - since;
      failovers.incrementAndGet();
      lastFailoverNanos = d;
      if (d > maxFailoverNanos) {
        maxFailoverNanos = d;
      }
      listeners.fire((l, nanos) -> l.onFailover(nanos, false), d);
    }
    RegentJfr.leadershipChange(node, t, previous, leaderName);
    Optional<String> known = Optional.of(leaderName);
    listeners.fire((l, tm) -> l.onLeaderChanged(tm, known), t);
  }

  /**
   * No leader is known any more. {@code lastContactNanos}: when this node last heard from the
   * leader it lost (the start of the failover as it sees it).
   */
  public void leaderLost(long t, long lastContactNanos) {
    long now = System.nanoTime();
    String previous = leader;
    leader = "";
    if (!leaderless) {
      leaderless = true;
      leaderlessSince = now;
    }
    if (!previous.isEmpty()) {
      long since = lastContactNanos - now > 0 ? now : lastContactNanos;
      if (failoverSince == 0) {
        failoverSince = since;
      }
      if (singletonFailoverSince == 0) {
        singletonFailoverSince = since;
      }
    }
    RegentJfr.leadershipChange(node, t, previous, "");
    listeners.fire((l, tm) -> l.onLeaderChanged(tm, Optional.empty()), t);
  }

  // ---- recording: singletons (singleton module) -----------------------------------------------

  /** Registers the gauges of a named singleton on this node (the singleton module calls this). */
  public void registerSingleton(String name, SingletonGauges gauges) {
    singletons.register(name, gauges);
  }

  /** A singleton started on this node with {@code token}. */
  public void singletonStarted(String name, long token) {
    singletons.started(name, token);
    long since = singletonFailoverSince;
    if (since != 0) {
      singletonFailoverSince = 0;
      long d = System.nanoTime() - since;
      lastSingletonFailoverNanos = d;
      listeners.fire((l, nanos) -> l.onFailover(nanos, true), d);
    }
  }

  /** A singleton stopped on this node. */
  public void singletonStopped(String name) {
    singletons.stopped(name);
  }

  public void proxyDropped(String name) {
    listeners.fire((l, unused) -> l.onProxyDropped(name), 0L);
  }

  // ---- recording: refused network input -----------------------------------------------------

  /**
   * The election actor dropped a peer message before the core saw it; {@code kind} says why
   * ({@code malformed}, {@code non-member}, {@code incarnation}, {@code wrong-receiver},
   * {@code name-mismatch}, ...; docs/OBSERVABILITY.md).
   */
  public void peerMessageDropped(String kind) {
    peerInput.dropped(kind);
  }

  /** The election core rejected a peer message; {@code reason} is the RejectReason's name. */
  public void peerMessageRejected(String reason) {
    peerInput.rejected(reason);
  }

  /**
   * A TLS connection was refused ({@code AuditingSSLEngineProvider}): {@code handshake} (another
   * CA, no certificate, not TLS) or {@code peer-verification} (another cluster's certificate).
   */
  public void tlsConnectionRefused(String kind) {
    peerInput.tlsRefused(kind);
  }

  // ---- recording: split-brain resolver --------------------------------------------------------

  public void splitBrainDecision(String strategy, String decision, String reason, int downed) {
    splitBrain.record(strategy, decision, reason, downed);
    RegentJfr.splitBrain(node, term, strategy, decision, reason, downed);
    listeners.fire((l, unused) -> l.onSplitBrainDecision(strategy, decision, downed), 0L);
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** Peer messages dropped before the election core saw them (all kinds). */
  public long peerMessagesDropped() {
    return peerInput.dropped();
  }

  /** Dropped peer messages by kind (see {@link #peerMessageDropped}). */
  public Map<String, Long> peerMessagesDroppedByKind() {
    return peerInput.droppedByKind();
  }

  /** Peer messages the election core rejected (foreign lineage, no lineage, implausible term). */
  public long peerMessagesRejected() {
    return peerInput.rejected();
  }

  /** TLS connections refused, when {@code AuditingSSLEngineProvider} is configured. */
  public long tlsConnectionsRefused() {
    return peerInput.tlsRefused();
  }

  /** Refused TLS connections by kind ({@code handshake}, {@code peer-verification}). */
  public Map<String, Long> tlsConnectionsRefusedByKind() {
    return peerInput.tlsRefusedByKind();
  }

  /** Rejected peer messages by reason. */
  public Map<String, Long> peerMessagesRejectedByReason() {
    return peerInput.rejectedByReason();
  }

  public long preVotesStarted() {
    return preVotesStarted.get();
  }

  public long preVotesRejected() {
    return preVotesRejected.get();
  }

  public long electionsStarted() {
    return electionsStarted.get();
  }

  public long electionsWon() {
    return electionsWon.get();
  }

  public long electionsLost() {
    return electionsLost.get();
  }

  public long leasesAcquired() {
    return leasesAcquired.get();
  }

  public long leaseRenewals() {
    return leaseRenewals.get();
  }

  public long leaderChanges() {
    return leaderChanges.get();
  }

  public long term() {
    return term;
  }

  /** The leader this node follows ("" when none is known). */
  public String leader() {
    return leader;
  }

  public boolean isLeader() {
    return leading;
  }

  /** How long the current leader has been known to this node (0 when none is). */
  public long leaderKnownForNanos() {
    String l = leader;
    return l.isEmpty() ? 0L : Math.max(0, System.nanoTime() - leaderKnownSince);
  }

  /** How long this node has held the lease (0 when it does not lead). */
  public long tenureNanos() {
    return leading ? Math.max(0, System.nanoTime() - leadingSince) : 0L;
  }

  public long lastTenureNanos() {
    return lastTenureNanos;
  }

  /** How long this node has been without a leader right now (0 when one is known). */
  public long leaderlessForNanos() {
    return leaderless ? Math.max(0, System.nanoTime() - leaderlessSince) : 0L;
  }

  public long lastLeaderlessNanos() {
    return lastLeaderlessNanos;
  }

  /** All time without a known leader since start, including a period under way. */
  public long totalLeaderlessNanos() {
    return totalLeaderlessNanos.get() + leaderlessForNanos();
  }

  public long failovers() {
    return failovers.get();
  }

  public long lastFailoverNanos() {
    return lastFailoverNanos;
  }

  public long maxFailoverNanos() {
    return maxFailoverNanos;
  }

  public long lastSingletonFailoverNanos() {
    return lastSingletonFailoverNanos;
  }

  public long stepDowns(LeadershipEvent.Reason reason) {
    return stepDowns.get(reason.ordinal());
  }

  public long stepDownsTotal() {
    long sum = 0;
    for (int i = 0; i < stepDowns.length(); i++) {
      sum += stepDowns.get(i);
    }
    return sum;
  }

  public long splitBrainDecisions() {
    return splitBrain.decisions();
  }

  public long splitBrainDowned() {
    return splitBrain.downed();
  }

  public Map<String, Long> splitBrainDecisionsByStrategy() {
    return splitBrain.byStrategy();
  }

  public String lastSplitBrainDecision() {
    return splitBrain.last();
  }

  /** The singletons initialised on this node and their gauges. */
  public Map<String, SingletonGauges> singletons() {
    return singletons.gauges();
  }

  /** Singletons running on this node, with their fencing tokens. */
  public Map<String, Long> singletonsRunningHere() {
    return singletons.runningHere();
  }

  public int proxyBuffered() {
    return (int) singletons.sum(SingletonGauges::proxyBuffered);
  }

  public long proxyDropped() {
    return singletons.sum(SingletonGauges::proxyDroppedCount);
  }

  /** Messages all proxies refused (overflow policy refuse). */
  public long proxyRefused() {
    return singletons.sum(SingletonGauges::proxyRefusedCount);
  }

  /** Messages all at-least-once proxies sent again. */
  public long proxyResent() {
    return singletons.sum(SingletonGauges::proxyResentCount);
  }

  public long managerDropped() {
    return singletons.sum(SingletonGauges::managerDroppedCount);
  }

  public long singletonInstancesStarted() {
    return singletons.sum(SingletonGauges::instancesStarted);
  }
}
