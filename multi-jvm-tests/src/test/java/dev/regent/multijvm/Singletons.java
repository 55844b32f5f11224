package dev.regent.multijvm;

import dev.regent.multijvm.harness.History;
import dev.regent.multijvm.harness.HistoryEvent;
import dev.regent.multijvm.harness.LeadershipReporter;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.MultiJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Reading singleton incarnations out of a running cluster's history. */
final class Singletons {

  static final Duration WAIT = Duration.ofSeconds(60);

  private Singletons() {}

  /** The newest incarnation that has not stopped and whose process still runs. */
  static Optional<SingletonStarted> running(MultiJvmCluster c) {
    History h = c.history();
    return h.activeIncarnations().stream()
        .filter(s -> c.isAlive(s.node()) && c.pid(s.node()) == s.pid())
        .reduce((a, b) -> b);
  }

  static SingletonStarted awaitRunning(MultiJvmCluster c, String what,
      Predicate<SingletonStarted> p) {
    SingletonStarted[] found = new SingletonStarted[1];
    c.awaitCondition(what, WAIT, () -> {
      Optional<SingletonStarted> r = running(c).filter(p);
      r.ifPresent(s -> found[0] = s);
      return r.isPresent();
    });
    return found[0];
  }

  /**
   * Waits until every running node's voter configuration holds all {@code n} nodes: only then can
   * the cluster lose a node and keep a quorum (the election adds voters one at a time).
   */
  static void awaitVoters(MultiJvmCluster c, int n) {
    try {
      c.awaitCondition("every running node has " + n + " voters", WAIT, () -> {
        for (int i = 0; i < c.size(); i++) {
          if (c.isAlive(i)
              && Integer.parseInt(c.probe(i, LeadershipReporter.VOTERS)) != n) {
            return false;
          }
        }
        return true;
      });
    } catch (AssertionError e) {
      var voters = new java.util.TreeMap<Integer, String>();
      for (int i = 0; i < c.size(); i++) {
        try {
          voters.put(i, c.isAlive(i) ? c.probe(i, LeadershipReporter.VOTERS) : "down");
        } catch (RuntimeException unreadable) {
          voters.put(i, "? (" + unreadable.getMessage() + ")");
        }
      }
      boolean none = voters.values().stream().allMatch(v -> v.equals("0") || v.equals("down"));
      throw new AssertionError(e.getMessage() + "; voters per node: " + voters
          + (none ? " - no node has a voter configuration: the founder's election never"
              + " bootstrapped one (it saw the other members Up before itself alone, see"
              + " docs/ELECTION.md §3.5)" : ""), e);
    }
  }

  /** Every incarnation that has not stopped and whose process still runs (paused counts). */
  static List<SingletonStarted> allRunning(MultiJvmCluster c) {
    return c.history().activeIncarnations().stream()
        .filter(s -> c.isAlive(s.node()) && c.pid(s.node()) == s.pid())
        .toList();
  }

  /** Waits until exactly one incarnation runs, and returns it. */
  static SingletonStarted awaitExactlyOne(MultiJvmCluster c, String what) {
    SingletonStarted[] found = new SingletonStarted[1];
    c.awaitCondition("exactly one singleton incarnation runs (" + what + ")", WAIT, () -> {
      List<SingletonStarted> r = allRunning(c);
      found[0] = r.size() == 1 ? r.get(0) : null;
      return found[0] != null;
    });
    return found[0];
  }

  /** Waits until incarnation {@code s} has stopped (or its process ended), and returns the stop. */
  static HistoryEvent.SingletonStopped awaitStopped(MultiJvmCluster c, SingletonStarted s,
      String what) {
    HistoryEvent.SingletonStopped[] found = new HistoryEvent.SingletonStopped[1];
    c.awaitCondition(what, WAIT, () -> {
      found[0] = c.history().of(HistoryEvent.SingletonStopped.class).stream()
          .filter(x -> x.pid() == s.pid() && x.lineage() == s.lineage() && x.token() == s.token()
              && x.nanos() >= s.nanos())
          .findFirst().orElse(null);
      return found[0] != null;
    });
    return found[0];
  }

  static SingletonStarted awaitFirst(MultiJvmCluster c) {
    awaitVoters(c, c.size());
    return awaitRunning(c, "a singleton runs", s -> true);
  }

  static SingletonStarted awaitNewer(MultiJvmCluster c, SingletonStarted old) {
    return awaitRunning(c, "a singleton newer than token " + old.token() + " on another node",
        s -> s.lineage() == old.lineage() && s.token() > old.token() && s.node() != old.node());
  }

  static long millisBetween(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1_000_000;
  }
}
