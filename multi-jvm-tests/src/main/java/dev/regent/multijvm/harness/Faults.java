package dev.regent.multijvm.harness;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault API behind {@link MultiJvmCluster}: crashes, pauses, partitions and cut links, leaves
 * and restarts, each recorded as a {@link HistoryEvent.Fault} (with the process exits the nodes
 * report) for the cluster's history. Remembers the cut links so a restarted node gets them again.
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

  Faults(String testName, List<NodeProcess> nodes, IntConsumer spawn) {
    this.testName = testName;
    this.nodes = nodes;
    this.spawn = spawn;
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
          blackhole(a.getKey(), c.getKey(), true);
          blackhole(c.getKey(), a.getKey(), true);
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
    running(a);
    running(b);
    cut.add(List.of(Math.min(a, b), Math.max(a, b)));
    blackhole(a, b, true);
    blackhole(b, a, true);
    record(HistoryEvent.FaultKind.CUT, Math.min(a, b), Math.max(a, b));
  }

  void restore(int a, int b) {
    record(HistoryEvent.FaultKind.RESTORE, Math.min(a, b), Math.max(a, b));
    for (int[] side : new int[][] {{a, b}, {b, a}}) {
      if (nodes.get(side[0]).isAlive()) {
        blackhole(side[0], side[1], false);
      }
    }
    cut.remove(List.of(Math.min(a, b), Math.max(a, b)));
  }

  void heal() {
    for (NodeProcess n : nodes) {
      if (n.isAlive()) {
        if (n.paused) {
          throw new IllegalStateException("node " + n.index + " is paused; resume it before heal()");
        }
        ControlClient.whenReady(n, "HEAL");
      }
    }
    cut.clear();
    record(HistoryEvent.FaultKind.HEAL);
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
