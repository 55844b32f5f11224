package dev.regent.multijvm.harness;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault API behind {@link MultiJvmCluster}: crashes, pauses, partitions and cut links, leaves
 * and restarts, each recorded as a {@link HistoryEvent.Fault} (with the process exits the nodes
 * report) for the cluster's history. Remembers the cut links so a restarted node gets them again.
 * On the namespace backend the network faults are the kernel's ({@link NetnsNetwork}); crashes,
 * pauses, leaves and restarts are the same on both backends.
 */
final class Faults {

  private static final Logger log = LoggerFactory.getLogger(Faults.class);

  private final String testName;
  private final List<NodeProcess> nodes;
  /** Spawns node {@code i} again (the cluster knows the command). */
  private final IntConsumer spawn;
  /** The harness's faults and the nodes' process exits. */
  private final List<HistoryEvent> events = new CopyOnWriteArrayList<>();
  /** Cut links as sorted node pairs. */
  private final Set<List<Integer>> cut = new HashSet<>();
  /** One-way cuts as (sender, receiver) pairs. */
  private final Set<List<Integer>> oneWay = new HashSet<>();
  /** The namespace backend's network, or empty on the loopback backend (Artery blackhole). */
  private final Optional<NetnsNetwork> net;

  Faults(String testName, List<NodeProcess> nodes, IntConsumer spawn) {
    this(testName, nodes, spawn, Optional.empty());
  }

  Faults(String testName, List<NodeProcess> nodes, IntConsumer spawn, Optional<NetnsNetwork> net) {
    this.testName = testName;
    this.nodes = nodes;
    this.spawn = spawn;
    this.net = net;
  }

  /** The harness's events so far (faults and process exits). */
  List<HistoryEvent> events() {
    return events;
  }

  void recordExit(HistoryEvent exited) {
    events.add(exited);
  }

  void record(HistoryEvent.FaultKind kind, int... nodeIndexes) {
    events.add(new HistoryEvent.Fault(kind,
        Arrays.stream(nodeIndexes).boxed().toList(), System.nanoTime(),
        System.currentTimeMillis()));
    log.info("{}: {} {}", testName, kind, Arrays.toString(nodeIndexes));
  }

  NodeProcess running(int i) {
    NodeProcess n = nodes.get(i);
    if (!n.isAlive()) {
      throw new IllegalStateException("node " + i + " is not running");
    }
    return n;
  }

  void crash(int i) {
    NodeProcess n = running(i);
    record(HistoryEvent.FaultKind.CRASH, i);
    n.kill(); // expected before the kill: the exit callback may run before awaitExit
    n.awaitExit(Duration.ofSeconds(30));
    n.paused = false;
  }

  void pause(int i) {
    NodeProcess n = running(i);
    n.signal("STOP");
    n.paused = true;
    record(HistoryEvent.FaultKind.PAUSE, i);
  }

  void resume(int i) {
    NodeProcess n = running(i);
    record(HistoryEvent.FaultKind.RESUME, i);
    n.signal("CONT");
    n.paused = false;
  }

  void partition(Set<Integer>[] groups) {
    var groupOf = new HashMap<Integer, Integer>();
    for (int g = 0; g < groups.length; g++) {
      for (int i : groups[g]) {
        if (groupOf.put(i, g) != null) {
          throw new IllegalArgumentException("node " + i + " is in two groups");
        }
      }
    }
    for (var a : groupOf.entrySet()) {
      for (var c : groupOf.entrySet()) {
        if (a.getKey() < c.getKey() && !a.getValue().equals(c.getValue())) {
          cut.add(List.of(a.getKey(), c.getKey()));
          cutLink(a.getKey(), c.getKey(), true);
        }
      }
    }
    record(HistoryEvent.FaultKind.PARTITION,
        groupOf.keySet().stream().sorted().mapToInt(Integer::intValue).toArray());
  }

  void cut(int a, int b) {
    if (a == b) {
      throw new IllegalArgumentException("a link needs two nodes: " + a);
    }
    if (net.isEmpty()) {
      running(a);
      running(b);
    }
    cut.add(List.of(Math.min(a, b), Math.max(a, b)));
    cutLink(a, b, true);
    record(HistoryEvent.FaultKind.CUT, Math.min(a, b), Math.max(a, b));
  }

  void restore(int a, int b) {
    record(HistoryEvent.FaultKind.RESTORE, Math.min(a, b), Math.max(a, b));
    if (net.isPresent()) {
      cutLink(a, b, false);
      cut.remove(List.of(Math.min(a, b), Math.max(a, b)));
      return;
    }
    for (int[] side : new int[][] {{a, b}, {b, a}}) {
      if (nodes.get(side[0]).isAlive()) {
        blackhole(side[0], side[1], false);
      }
    }
    cut.remove(List.of(Math.min(a, b), Math.max(a, b)));
  }

  void heal() {
    if (net.isPresent()) {
      net.get().healCuts();
      cut.clear();
      oneWay.clear();
      record(HistoryEvent.FaultKind.HEAL);
      return;
    }
    for (NodeProcess n : nodes) {
      if (n.isAlive()) {
        if (n.paused) {
          throw new IllegalStateException("node " + n.index + " is paused; resume it before heal()");
        }
        ControlClient.whenReady(n, "HEAL");
      }
    }
    cut.clear();
    oneWay.clear();
    record(HistoryEvent.FaultKind.HEAL);
  }

  /**
   * Drops everything the {@code from} nodes send to the {@code to} nodes; the other direction
   * stays up. Netns: an input rule on each receiver. Loopback: Artery's blackhole for outbound
   * traffic only, set on each sender (which must run and not be paused).
   */
  void partitionOneWay(Set<Integer> from, Set<Integer> to) {
    for (int f : from) {
      for (int t : to) {
        if (f == t) {
          throw new IllegalArgumentException("node " + f + " is on both sides");
        }
        oneWay.add(List.of(f, t));
        if (net.isPresent()) {
          net.get().block(f, t, true);
        } else {
          ControlClient.whenReady(running(f), "BLACKHOLE-OUTBOUND " + nodes.get(t).address());
        }
      }
    }
    var ids = new java.util.ArrayList<Integer>(from.stream().sorted().toList());
    ids.add(-1);
    ids.addAll(to.stream().sorted().toList());
    record(HistoryEvent.FaultKind.ONE_WAY, ids.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Impairs both directions of the link between {@code a} and {@code b} (netns only). */
  void impair(int a, int b, LinkImpairment imp) {
    NetnsNetwork n = netns("impair a link");
    if (imp.equals(LinkImpairment.NONE)) {
      n.unimpair(a, b);
      n.unimpair(b, a);
    } else {
      n.impair(a, b, imp);
      n.impair(b, a, imp);
    }
    events.add(new HistoryEvent.Fault(HistoryEvent.FaultKind.IMPAIR, List.of(a, b),
        System.nanoTime(), System.currentTimeMillis()));
    log.info("{}: IMPAIR [{}, {}] {}", testName, a, b, imp);
  }

  /** Removes every impairment (netns only). */
  void clearImpairments() {
    netns("clear impairments").unimpairAll();
    record(HistoryEvent.FaultKind.IMPAIR);
  }

  /** Takes node {@code i}'s link down, or up again (netns only). */
  void link(int i, boolean up) {
    netns("take a link down").link(i, up);
    record(up ? HistoryEvent.FaultKind.LINK_UP : HistoryEvent.FaultKind.LINK_DOWN, i);
  }

  private NetnsNetwork netns(String what) {
    return net.orElseThrow(() -> new UnsupportedOperationException("to " + what + " the cluster"
        + " needs the namespace backend (MultiJvmCluster.Builder.network(NETNS) or -D"
        + NetworkBackend.PROPERTY + "=netns); Artery's blackhole can only drop everything"));
  }

  /** Cuts (or restores) both directions between {@code a} and {@code b}. */
  private void cutLink(int a, int b, boolean cutIt) {
    if (net.isPresent()) {
      net.get().block(a, b, cutIt);
      net.get().block(b, a, cutIt);
    } else {
      blackhole(a, b, cutIt);
      blackhole(b, a, cutIt);
    }
  }

  int leave(int i, Duration timeout) {
    NodeProcess n = running(i);
    record(HistoryEvent.FaultKind.LEAVE, i);
    n.expectedExit = true;
    ControlClient.request(n, "LEAVE");
    return n.awaitExit(timeout);
  }

  /** SIGTERM: the JVM's shutdown hook runs CoordinatedShutdown (reason: JVM exit). */
  int terminate(int i, Duration timeout) {
    NodeProcess n = running(i);
    record(HistoryEvent.FaultKind.LEAVE, i);
    n.expectedExit = true;
    n.process.toHandle().destroy(); // not Process.destroy: it closes the node's stdin (watchdog)
    return n.awaitExit(timeout);
  }

  /** {@code Cluster.leave} of the node itself; CoordinatedShutdown runs once it is Exiting. */
  int clusterLeave(int i, Duration timeout) {
    NodeProcess n = running(i);
    record(HistoryEvent.FaultKind.LEAVE, i);
    n.expectedExit = true;
    ControlClient.request(n, "CLUSTER-LEAVE");
    return n.awaitExit(timeout);
  }

  void restart(int i) {
    NodeProcess n = nodes.get(i);
    if (n.isAlive()) {
      crash(i);
    }
    record(HistoryEvent.FaultKind.RESTART, i);
    spawn.accept(i);
    if (net.isPresent()) {
      return; // the filter rules belong to the node's namespace, not to its process: they stay
    }
    for (List<Integer> pair : oneWay) {
      if (pair.get(0) == i) {
        ControlClient.awaitAnswering(running(i));
        ControlClient.whenReady(running(i),
            "BLACKHOLE-OUTBOUND " + nodes.get(pair.get(1)).address());
      }
    }
    for (List<Integer> pair : cut) {
      if (pair.contains(i)) {
        int other = pair.get(0) == i ? pair.get(1) : pair.get(0);
        ControlClient.awaitAnswering(running(i));
        blackhole(i, other, true);
        if (nodes.get(other).isAlive() && !nodes.get(other).paused) {
          blackhole(other, i, true);
        }
      }
    }
  }

  private void blackhole(int on, int target, boolean cutIt) {
    ControlClient.whenReady(running(on),
        (cutIt ? "BLACKHOLE " : "UNBLACKHOLE ") + nodes.get(target).address());
  }
}
