package dev.regent.toolkit.metrics;

import dev.regent.toolkit.config.NodeNames;
import dev.regent.toolkit.leadership.LeadershipEvent;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.management.InstanceAlreadyExistsException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-node metrics of Regent: the election as this node sees it, failovers, lease renewals,
 * step-downs, singleton proxies and split-brain decisions. One instance per actor system ({@code
 * RegentMetrics.get(system)}); it registers the JMX MBean {@code dev.regent:type=Election,
 * node=<node name>} on creation and unregisters it when the actor system terminates.
 *
 * <p>Writers are Regent's actors; readers (JMX, listeners, the status endpoint) may be any thread.
 * Counters are atomics, gauges volatile fields: recording allocates nothing.
 */
public final class RegentMetrics implements Extension {

  private static final Logger log = LoggerFactory.getLogger(RegentMetrics.class);

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
  private final ObjectName objectName;

  final AtomicLong preVotesStarted = new AtomicLong();
  final AtomicLong preVotesRejected = new AtomicLong();
  final AtomicLong electionsStarted = new AtomicLong();
  final AtomicLong electionsWon = new AtomicLong();
  final AtomicLong electionsLost = new AtomicLong();
  final AtomicLong leasesAcquired = new AtomicLong();
  final AtomicLong leaseRenewals = new AtomicLong();
  final AtomicLong leaderChanges = new AtomicLong();
  final AtomicLongArray stepDowns = new AtomicLongArray(REASONS.length);

  private volatile long term;
  private volatile String leader = "";
  private volatile long leaderKnownSince; // nanos; meaningful when leader is non-empty
  private volatile boolean leading;
  private volatile long leadingSince;
  private volatile long lastTenureNanos;

  private volatile long leaderlessSince = System.nanoTime(); // a node starts without a leader
  private volatile boolean leaderless = true;
  private volatile long lastLeaderlessNanos;
  final AtomicLong totalLeaderlessNanos = new AtomicLong();

  /** When a known leader was lost, until a leader is known again (0 = no failover under way). */
  private volatile long failoverSince;
  /** When a known leader was lost, until a singleton runs again on this node (0 = none). */
  private volatile long singletonFailoverSince;
  final AtomicLong failovers = new AtomicLong();
  private volatile long lastFailoverNanos;
  private volatile long maxFailoverNanos;
  private volatile long lastSingletonFailoverNanos;

  final AtomicLong splitBrainDecisions = new AtomicLong();
  final AtomicLong splitBrainDowned = new AtomicLong();
  private final Map<String, AtomicLong> splitBrainByStrategy = new ConcurrentHashMap<>();
  private volatile String lastSplitBrainDecision = "";

  private final Map<String, SingletonGauges> singletons = new ConcurrentHashMap<>();
  /** Singletons running on this node: name → fencing token. */
  private final Map<String, Long> runningHere = new ConcurrentHashMap<>();

  private volatile RegentMetricsListener[] listeners = new RegentMetricsListener[0];

  private RegentMetrics(ActorSystem<?> system) {
    this.node = nodeName(system);
    this.objectName = objectName("Election", node);
    register(new ElectionMetrics(this));
    system.getWhenTerminated().thenRun(this::unregister);
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

  static ObjectName objectName(String type, String node) {
    try {
      return new ObjectName(JMX_DOMAIN + ":type=" + type + ",node=" + ObjectName.quote(node));
    } catch (javax.management.MalformedObjectNameException e) {
      throw new IllegalArgumentException("cannot name an MBean for node " + node, e);
    }
  }

  /** Which metrics own a registered name: a restarted node's system may replace an older one's. */
  private static final Map<ObjectName, RegentMetrics> OWNERS = new ConcurrentHashMap<>();

  private void register(Object mbean) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    synchronized (OWNERS) {
      try {
        try {
          server.registerMBean(mbean, objectName);
        } catch (InstanceAlreadyExistsException e) {
          // An earlier actor system of this node in this JVM (a restart) has not terminated yet.
          log.debug("Replacing MBean {} of an earlier actor system", objectName);
          server.unregisterMBean(objectName);
          server.registerMBean(mbean, objectName);
        }
        OWNERS.put(objectName, this);
      } catch (Exception e) {
        log.warn("Could not register MBean {}: {}", objectName, e.toString());
      }
    }
  }

  private void unregister() {
    synchronized (OWNERS) {
      if (!OWNERS.remove(objectName, this)) {
        return; // never registered, or replaced by a newer system of the same node
      }
      try {
        ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
      } catch (Exception e) {
        log.debug("Could not unregister MBean {}: {}", objectName, e.toString());
      }
    }
  }

  /** This node's name (as in the MBean's object name). */
  public String node() {
    return node;
  }

  /** The object name of this node's MBean. */
  public ObjectName objectName() {
    return objectName;
  }

  // ---- listeners ----------------------------------------------------------------------------

  /** Adds a listener; it sees events from now on. */
  public synchronized void addListener(RegentMetricsListener l) {
    var next = java.util.Arrays.copyOf(listeners, listeners.length + 1);
    next[listeners.length] = l;
    listeners = next;
  }

  public synchronized void removeListener(RegentMetricsListener l) {
    listeners = java.util.Arrays.stream(listeners).filter(x -> x != l)
        .toArray(RegentMetricsListener[]::new);
  }

  private void notifyFailed(RuntimeException e) {
    log.warn("A RegentMetricsListener threw; ignoring: {}", e.toString());
  }

  // ---- recording: election (called by the election actor, one thread) ------------------------

  /** The current term (called after every step; a volatile write). */
  public void term(long t) {
    term = t;
  }

  public void preVoteStarted(long t) {
    preVotesStarted.incrementAndGet();
    for (var l : listeners) {
      try {
        l.onPreVoteStarted(t);
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
  }

  public void preVoteRejected(long t) {
    preVotesRejected.incrementAndGet();
    for (var l : listeners) {
      try {
        l.onPreVoteRejected(t);
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
  }

  public void electionStarted(long t) {
    electionsStarted.incrementAndGet();
    RegentJfr.election(node, t, "started");
    for (var l : listeners) {
      try {
        l.onElectionStarted(t);
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
  }

  public void electionWon(long t) {
    electionsWon.incrementAndGet();
    RegentJfr.election(node, t, "won");
    for (var l : listeners) {
      try {
        l.onElectionWon(t);
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
  }

  public void electionLost(long t) {
    electionsLost.incrementAndGet();
    RegentJfr.election(node, t, "lost");
    for (var l : listeners) {
      try {
        l.onElectionLost(t);
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
  }

  public void becameLeader(long t) {
    leasesAcquired.incrementAndGet();
    leadingSince = System.nanoTime();
    leading = true;
    for (var l : listeners) {
      try {
        l.onBecameLeader(t);
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
  }

  /** Hot path on the leader: one atomic increment, no allocation. */
  public void leaseRenewed(long t) {
    leaseRenewals.incrementAndGet();
    for (var l : listeners) {
      try {
        l.onLeaseRenewed(t);
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
  }

  public void steppedDown(long t, LeadershipEvent.Reason reason) {
    stepDowns.incrementAndGet(reason.ordinal());
    long tenure = leading ? System.nanoTime() - leadingSince : 0L;
    leading = false;
    lastTenureNanos = tenure;
    RegentJfr.leaseLost(node, t, reason.name(), tenure);
    for (var l : listeners) {
      try {
        l.onSteppedDown(t, reason, tenure);
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
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
      for (var l : listeners) {
        try {
          l.onLeaderlessPeriodEnded(d);
        } catch (RuntimeException e) {
          notifyFailed(e);
        }
      }
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
      for (var l : listeners) {
        try {
          l.onFailover(d, false);
        } catch (RuntimeException e) {
          notifyFailed(e);
        }
      }
    }
    RegentJfr.leadershipChange(node, t, previous, leaderName);
    notifyLeader(t, Optional.of(leaderName));
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
    notifyLeader(t, Optional.empty());
  }

  private void notifyLeader(long t, Optional<String> l2) {
    for (var l : listeners) {
      try {
        l.onLeaderChanged(t, l2);
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
  }

  // ---- recording: singletons (singleton module) -----------------------------------------------

  /** Registers the gauges of a named singleton on this node (the singleton module calls this). */
  public void registerSingleton(String name, SingletonGauges gauges) {
    singletons.put(name, gauges);
  }

  /** A singleton started on this node with {@code token}. */
  public void singletonStarted(String name, long token) {
    runningHere.put(name, token);
    long since = singletonFailoverSince;
    if (since != 0) {
      singletonFailoverSince = 0;
      long d = System.nanoTime() - since;
      lastSingletonFailoverNanos = d;
      for (var l : listeners) {
        try {
          l.onFailover(d, true);
        } catch (RuntimeException e) {
          notifyFailed(e);
        }
      }
    }
  }

  /** A singleton stopped on this node. */
  public void singletonStopped(String name) {
    runningHere.remove(name);
  }

  public void proxyDropped(String name) {
    for (var l : listeners) {
      try {
        l.onProxyDropped(name);
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
  }

  // ---- recording: split-brain resolver --------------------------------------------------------

  public void splitBrainDecision(String strategy, String decision, String reason, int downed) {
    splitBrainDecisions.incrementAndGet();
    splitBrainDowned.addAndGet(downed);
    splitBrainByStrategy.computeIfAbsent(strategy, k -> new AtomicLong()).incrementAndGet();
    lastSplitBrainDecision = strategy + ": " + decision + " (" + reason + "), downed " + downed;
    RegentJfr.splitBrain(node, term, strategy, decision, reason, downed);
    for (var l : listeners) {
      try {
        l.onSplitBrainDecision(strategy, decision, downed);
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
  }

  // ---- reading ---------------------------------------------------------------------------------

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
    return splitBrainDecisions.get();
  }

  public long splitBrainDowned() {
    return splitBrainDowned.get();
  }

  public Map<String, Long> splitBrainDecisionsByStrategy() {
    var m = new TreeMap<String, Long>();
    splitBrainByStrategy.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  public String lastSplitBrainDecision() {
    return lastSplitBrainDecision;
  }

  /** The singletons initialised on this node and their gauges. */
  public Map<String, SingletonGauges> singletons() {
    return Collections.unmodifiableMap(new TreeMap<>(singletons));
  }

  /** Singletons running on this node, with their fencing tokens. */
  public Map<String, Long> singletonsRunningHere() {
    return Collections.unmodifiableMap(new TreeMap<>(runningHere));
  }

  public int proxyBuffered() {
    int sum = 0;
    for (var g : singletons.values()) {
      sum += g.proxyBuffered();
    }
    return sum;
  }

  public long proxyDropped() {
    long sum = 0;
    for (var g : singletons.values()) {
      sum += g.proxyDroppedCount();
    }
    return sum;
  }

  public long managerDropped() {
    long sum = 0;
    for (var g : singletons.values()) {
      sum += g.managerDroppedCount();
    }
    return sum;
  }

  public long singletonInstancesStarted() {
    long sum = 0;
    for (var g : singletons.values()) {
      sum += g.instancesStarted();
    }
    return sum;
  }
}
