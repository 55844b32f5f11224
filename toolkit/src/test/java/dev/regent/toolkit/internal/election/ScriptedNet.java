package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.internal.election.ElectionEffect.Elected;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaseAcquired;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaseRenewed;
import dev.regent.toolkit.internal.election.ElectionEffect.Persist;
import dev.regent.toolkit.internal.election.ElectionEffect.Send;
import dev.regent.toolkit.internal.election.ElectionEvent.MembershipChanged;
import dev.regent.toolkit.internal.election.ElectionEvent.Received;
import dev.regent.toolkit.internal.election.ElectionEvent.Tick;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * A tiny deterministic network of real {@link ElectionCore} instances for scripted scenarios: one
 * clock for every node (so lease deadlines of different nodes compare directly), a fixed latency,
 * links that can be cut, nodes that crash (in-flight messages to them are lost) and restart with
 * their durable state or without it, and a core restart that keeps the state (an actor restart).
 *
 * <p>It watches three properties while it runs and records each breach in {@link #violations}:
 * one leader per (lineage, term) ever (S1, and no two equal fencing tokens), no lease acquired
 * while another term's lease may still be in use (S3), and campaign announcements that match
 * what each node does ({@link CampaignCheck}). A lease is in use until its last announced
 * deadline, or until its node reported the singleton stopped ({@code HostingReleased}) or died.
 */
final class ScriptedNet {

  static final long MS = 1_000_000L;

  /** One node: its core, its identity, its state and its disk. */
  final class Node {
    final String name;
    ElectionCore core;
    NodeId id;
    NodeState state;
    HardState disk;
    boolean up;
    long tickSeq;
    final List<ElectionEffect> effects = new ArrayList<>();

    Node(String name, ElectionCore core, NodeId id, HardState disk) {
      this.name = name;
      this.core = core;
      this.id = id;
      this.disk = disk;
    }

    boolean isLeader() {
      return up && state != null && state.isLeader();
    }

    long term() {
      return state.term();
    }

    long lineage() {
      return state.lineage();
    }

    <T extends ElectionEffect> List<T> effectsOf(Class<T> type) {
      return effects.stream().filter(type::isInstance).map(type::cast).toList();
    }
  }

  /** A lease as the checker sees it. */
  static final class Lease {
    final String node;
    final long lineage;
    final long term;
    final long acquiredAt;
    long deadline;
    long endedAt = Long.MAX_VALUE;

    Lease(String node, long lineage, long term, long acquiredAt, long deadline) {
      this.node = node;
      this.lineage = lineage;
      this.term = term;
      this.acquiredAt = acquiredAt;
      this.deadline = deadline;
    }

    long end() {
      return Math.min(deadline, endedAt);
    }

    @Override
    public String toString() {
      return node + " (lineage " + Lineage.format(lineage) + ", term " + term + ") from "
          + acquiredAt / MS + " ms to " + end() / MS + " ms";
    }
  }

  /** A message that left a node. */
  record Sent(long at, String from, String to, ElectionMessage message) {}

  /** A campaign announcement or an {@code Elected}, as a node's core emitted it. */
  record Announced(long at, String node, ElectionEffect effect) {}

  private record Pending(long at, long seq, String node, long tickSeq, ElectionEvent event) {}

  final Map<String, Node> nodes = new TreeMap<>();
  final List<String> violations = new ArrayList<>();
  final List<Lease> leases = new ArrayList<>();
  final List<Sent> sent = new ArrayList<>();
  /** Every campaign announcement and {@code Elected}, in order. */
  final List<Announced> campaigns = new ArrayList<>();
  /** Per (lineage, term): who was elected. */
  final Map<List<Long>, String> elected = new HashMap<>();
  private final PriorityQueue<Pending> queue = new PriorityQueue<>(
      Comparator.comparingLong(Pending::at).thenComparingLong(Pending::seq));
  private final Set<String> cutLinks = new HashSet<>();
  private final long latency;
  private long seq;
  private long now;
  private long seed = 1;
  private SortedSet<String> eligible = new TreeSet<>();

  ScriptedNet(long latency) {
    this.latency = latency;
  }

  long now() {
    return now;
  }

  /** The seed the next started core draws its randomness from (each start takes the next one). */
  ScriptedNet seed(long first) {
    this.seed = first;
    return this;
  }

  Node node(String name) {
    return nodes.get(name);
  }

  /** Adds a node with this core, identity and disk contents; {@link #start} runs it. */
  Node add(String name, ElectionCore core, long stateId, HardState disk) {
    var n = new Node(name, core, new NodeId(name, stateId), disk);
    nodes.put(name, n);
    return n;
  }

  /** Starts (or restarts) a node's core with what is on its disk. */
  void start(String name) {
    var n = nodes.get(name);
    n.up = true;
    n.effects.clear();
    apply(n, null, n.core.start(n.id, n.disk, now, seed++));
    if (!eligible.isEmpty()) {
      feed(name, new MembershipChanged(now, eligible));
    }
  }

  /** The process dies: whatever it hosted stops, messages on their way to it are lost. */
  void crash(String name) {
    var n = nodes.get(name);
    n.up = false;
    n.tickSeq++;
    for (var l : leases) {
      if (l.node.equals(name)) {
        l.endedAt = Math.min(l.endedAt, now);
      }
    }
  }

  /** The node comes back after losing its state directory: a new identity, nothing on disk. */
  void restartWithoutState(String name, long newStateId) {
    var n = nodes.get(name);
    n.id = new NodeId(name, newStateId);
    n.disk = HardState.INITIAL;
    start(name);
  }

  /** The cluster membership (the voter-eligible members) every running node sees. */
  void membership(String... names) {
    eligible = new TreeSet<>(List.of(names));
    for (var n : nodes.values()) {
      if (n.up) {
        feed(n.name, new MembershipChanged(now, eligible));
      }
    }
  }

  /** The membership one node sees (partitions make views differ). */
  void membershipOf(String name, String... names) {
    feed(name, new MembershipChanged(now, new TreeSet<>(List.of(names))));
  }

  void cut(String a, String b) {
    cutLinks.add(link(a, b));
  }

  void heal(String a, String b) {
    cutLinks.remove(link(a, b));
  }

  /** Cuts every link between the two groups. */
  void partition(List<String> left, List<String> right) {
    for (String a : left) {
      for (String b : right) {
        cut(a, b);
      }
    }
  }

  void healAll() {
    cutLinks.clear();
  }

  private static String link(String a, String b) {
    return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
  }

  /** Feeds one event to a running node now. */
  void feed(String name, ElectionEvent event) {
    var n = nodes.get(name);
    if (!n.up) {
      return;
    }
    n.effects.clear();
    apply(n, n.state, n.core.step(n.state, event));
  }

  /** Runs every event due up to {@code until}, then sets the clock there. */
  void runUntil(long until) {
    runUntil(() -> false, until);
  }

  /**
   * Runs events in time order until {@code stop} holds (checked after each event) or the clock
   * would pass {@code limit}. Returns whether {@code stop} held.
   */
  boolean runUntil(BooleanSupplier stop, long limit) {
    int budget = 1_000_000;
    while (!stop.getAsBoolean()) {
      var p = queue.peek();
      if (p == null || p.at() > limit) {
        now = Math.max(now, limit);
        return stop.getAsBoolean();
      }
      queue.poll();
      if (--budget == 0) {
        throw new AssertionError("event budget exhausted at " + now / MS + " ms");
      }
      now = Math.max(now, p.at());
      var n = nodes.get(p.node());
      if (!n.up) {
        continue;
      }
      if (p.event() instanceof Tick) {
        if (p.tickSeq() != n.tickSeq) {
          continue; // superseded by a later wake-up time
        }
        feed(n.name, new Tick(now));
      } else {
        var r = (Received) p.event();
        if (cutLinks.contains(link(r.message().from().name(), n.name))) {
          continue; // the link failed while the message was on its way
        }
        feed(n.name, new Received(now, r.message()));
      }
    }
    return true;
  }

  /** The running leaders right now. */
  List<String> leaders() {
    return nodes.values().stream().filter(Node::isLeader).map(n -> n.name).toList();
  }

  Optional<String> leader() {
    var l = leaders();
    return l.size() == 1 ? Optional.of(l.get(0)) : Optional.empty();
  }

  /** The campaign announcements and {@code Elected} effects of {@code node}, in order. */
  List<ElectionEffect> campaignsOf(String node) {
    return campaigns.stream().filter(a -> a.node().equals(node)).map(Announced::effect).toList();
  }

  /** Messages of this type sent so far, in order. */
  <T extends ElectionMessage> List<Sent> sentOf(Class<T> type) {
    return sent.stream().filter(s -> type.isInstance(s.message())).toList();
  }

  private void apply(Node n, NodeState before, Step step) {
    for (String problem : CampaignCheck.check(before, step)) {
      violations.add("campaign announcements of " + n.name + " at " + now / MS + " ms: " + problem);
    }
    n.state = step.state();
    n.effects.addAll(step.effects());
    for (var e : step.effects()) {
      if (Simulation.isAnnouncement(e) || e instanceof Elected) {
        campaigns.add(new Announced(now, n.name, e));
      }
    }
    for (var e : step.effects()) {
      observe(n, e);
    }
    n.tickSeq++;
    queue.add(new Pending(Math.max(step.wakeAt(), now), seq++, n.name, n.tickSeq, new Tick(0)));
  }

  private void observe(Node n, ElectionEffect e) {
    if (e instanceof Persist p) {
      n.disk = p.state();
    } else if (e instanceof Send s) {
      sent.add(new Sent(now, n.name, s.to(), s.message()));
      var to = nodes.get(s.to());
      if (to != null && !cutLinks.contains(link(n.name, s.to()))) {
        queue.add(new Pending(now + latency, seq++, s.to(), 0, new Received(0, s.message())));
      }
    } else if (e instanceof Elected el) {
      var key = List.of(n.state.lineage(), el.term());
      String before = elected.putIfAbsent(key, n.name);
      if (before != null && !before.equals(n.name)) {
        violations.add("S1: two leaders of term " + el.term() + " (lineage "
            + Lineage.format(n.state.lineage()) + "): " + before + " and " + n.name + " at "
            + now / MS + " ms");
      }
    } else if (e instanceof LeaseAcquired la) {
      for (var other : leases) {
        if (other.end() > now && !(other.node.equals(n.name) && other.term == la.term())) {
          violations.add("S3: " + n.name + " acquired a lease of term " + la.term() + " at "
              + now / MS + " ms while the lease of " + other + " was in use");
        }
      }
      leases.add(new Lease(n.name, n.state.lineage(), la.term(), now, la.leaseDeadline()));
    } else if (e instanceof LeaseRenewed lr) {
      for (var l : leases) {
        if (l.node.equals(n.name) && l.term == lr.term() && l.endedAt == Long.MAX_VALUE) {
          l.deadline = Math.max(l.deadline, lr.leaseDeadline());
        }
      }
    }
  }

  /** The node reports that what it hosted under {@code term} has stopped. */
  void hostingReleased(String name, long term) {
    for (var l : leases) {
      if (l.node.equals(name) && l.term == term) {
        l.endedAt = Math.min(l.endedAt, now);
      }
    }
    feed(name, new ElectionEvent.HostingReleased(now, term));
  }
}
