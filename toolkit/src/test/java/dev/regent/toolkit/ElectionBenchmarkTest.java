package dev.regent.toolkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.internal.shell.ElectionRuntime;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.testkit.Blackhole;
import dev.regent.toolkit.testkit.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures (prints, never asserts) failover times and idle message rates in-JVM. Runs are set with
 * {@code -Dregent.bench.runs} (default 10) and {@code -Dregent.bench.crash-runs} (default 10).
 */
class ElectionBenchmarkTest {

  private static final Duration ELECT = Duration.ofSeconds(20);
  private static final Duration IDLE_WINDOW = Duration.ofSeconds(3);

  @TempDir
  Path stateRoot;

  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void threeNodesFailoverAndIdleCost() {
    cluster = new TestCluster(stateRoot);
    cluster.form(3);
    TestCluster.awaitLeader(cluster.live(), -1, ELECT);
    idleRates(3);

    var graceful = new ArrayList<Long>();
    int runs = Integer.getInteger("regent.bench.runs", 10);
    for (int i = 0; i < runs; i++) {
      ActorSystem<Void> leader = TestCluster.awaitLeader(cluster.live(), -1, ELECT);
      long term = TestCluster.view(leader).term();
      var rest = TestCluster.without(cluster.live(), leader);
      long t0 = System.nanoTime();
      cluster.terminateAsync(leader);
      graceful.add(awaitNewLease(rest, term) - t0);
      replace(leader);
    }
    report("terminate leader's ActorSystem (graceful: CoordinatedShutdown hands over)", graceful);

    var crash = new ArrayList<Long>();
    int crashRuns = Integer.getInteger("regent.bench.crash-runs", 10);
    for (int i = 0; i < crashRuns; i++) {
      ActorSystem<Void> leader = TestCluster.awaitLeader(cluster.live(), -1, ELECT);
      long term = TestCluster.view(leader).term();
      var rest = TestCluster.without(cluster.live(), leader);
      long t0 = System.nanoTime();
      for (ActorSystem<Void> other : rest) {
        Blackhole.cut(leader, other); // as if it crashed: silent from now on
      }
      crash.add(awaitNewLease(rest, term) - t0);
      Cluster.get(rest.get(0)).manager().tell(new Down(TestCluster.addressOf(leader)));
      cluster.terminateAsync(leader);
      cluster.startNode();
      cluster.awaitAllUp(Duration.ofSeconds(30));
      cluster.awaitVoters(Duration.ofSeconds(30));
    }
    report("leader cut off from all peers (crash without goodbye)", crash);
  }

  @Test
  void fiveNodesIdleCost() {
    cluster = new TestCluster(stateRoot);
    cluster.form(5);
    TestCluster.awaitLeader(cluster.live(), -1, ELECT);
    idleRates(5);
  }

  /** Waits for a node of {@code among} to hold a lease above {@code term}; returns when. */
  private static long awaitNewLease(List<ActorSystem<Void>> among, long term) {
    long deadline = System.nanoTime() + ELECT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      for (ActorSystem<Void> s : among) {
        Leadership l = TestCluster.view(s);
        if (l.holdsLease() && l.term() > term) {
          return System.nanoTime();
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    throw new AssertionError("no new leader with a lease within " + ELECT);
  }

  private void replace(ActorSystem<Void> gone) {
    try {
      gone.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    cluster.startNode();
    cluster.awaitAllUp(Duration.ofSeconds(30));
    cluster.awaitVoters(Duration.ofSeconds(30));
  }

  /**
   * Measures election traffic over an idle window. A benchmark does not assert timing: if the
   * leader changes during the window (a starved JVM on a loaded machine can lose its lease), it
   * says so and measures again, up to three windows, and reports the last one either way.
   */
  private void idleRates(int n) {
    List<ActorSystem<Void>> nodes = cluster.live();
    String stability = "";
    for (int attempt = 1; attempt <= 3; attempt++) {
      ActorSystem<Void> leader = TestCluster.awaitLeader(nodes, -1, ELECT);
      long term = TestCluster.view(leader).term();
      long[] hb = new long[nodes.size()];
      long[] acks = new long[nodes.size()];
      long[] all = new long[nodes.size()];
      for (int i = 0; i < nodes.size(); i++) {
        var rt = ElectionRuntime.get(nodes.get(i));
        hb[i] = rt.receivedCount(ElectionMessage.Heartbeat.class);
        acks[i] = rt.receivedCount(ElectionMessage.HeartbeatAck.class);
        all[i] = rt.receivedCount();
      }
      long t0 = System.nanoTime();
      boolean stable = true;
      while (System.nanoTime() - t0 < IDLE_WINDOW.toNanos()) {
        Leadership l = TestCluster.view(leader);
        stable &= l.holdsLease() && l.term() == term;
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      var out = new StringBuilder();
      double total = 0;
      for (int i = 0; i < nodes.size(); i++) {
        var rt = ElectionRuntime.get(nodes.get(i));
        double h = (rt.receivedCount(ElectionMessage.Heartbeat.class) - hb[i]) / secs;
        double a = (rt.receivedCount(ElectionMessage.HeartbeatAck.class) - acks[i]) / secs;
        double m = (rt.receivedCount() - all[i]) / secs;
        total += m;
        out.append(String.format(Locale.ROOT,
            "%n  %s%s: %.1f heartbeats/s, %.1f acks/s, %.1f msgs/s",
            rt.selfName(), nodes.get(i) == leader ? " (leader)" : "", h, a, m));
      }
      stability = stable ? "" : " (the leader changed during this window: machine overloaded)";
      System.out.printf(Locale.ROOT, "BENCH idle, %d nodes, %.1f s window: %.1f election msgs/s"
          + " received per node on average%s%s%n", n, secs, total / nodes.size(), stability, out);
      assertTrue(total > 0, "heartbeats flow while idle");
      if (stable) {
        return;
      }
    }
  }

  private static void report(String what, List<Long> nanos) {
    var ms = nanos.stream().map(x -> x / 1e6).sorted().toList();
    if (ms.isEmpty()) {
      return;
    }
    double median = ms.size() % 2 == 1 ? ms.get(ms.size() / 2)
        : (ms.get(ms.size() / 2 - 1) + ms.get(ms.size() / 2)) / 2;
    System.out.printf(Locale.ROOT, "BENCH failover, %s: %d runs, median %.0f ms, min %.0f ms,"
            + " max %.0f ms, all %s%n", what, ms.size(), median, ms.get(0),
        ms.get(ms.size() - 1), ms.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList());
  }
}
