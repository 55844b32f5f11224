package dev.regent.multijvm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.regent.multijvm.harness.HistoryEvent;
import dev.regent.multijvm.harness.HistoryEvent.LeaderElected;
import dev.regent.multijvm.harness.HistoryEvent.SingletonResumed;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStopped;
import dev.regent.multijvm.harness.HistoryEvent.SingletonSuspended;
import dev.regent.multijvm.harness.HistoryEvent.WriteAttempt;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The quiet window's count ({@link RestartCount}) on histories shaped like the nodes' own: a quiet
 * cluster counts 0, and each way a singleton can restart without a fault (issue #15's same-term
 * restart after a late lease renewal, a new term, a Pekko move, an instance gone) counts.
 */
class BenchRestartCountTest {

  private static final long L = 7; // a lineage
  private static final long T0 = 1_000_000_000L;
  private static final long T1 = 2_000_000_000L;

  private final List<List<HistoryEvent>> nodes =
      List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());

  private void started(int node, long token, long nanos) {
    nodes.get(node).add(new SingletonStarted(node, 100 + node, L, token, nanos, 0));
  }

  private void stopped(int node, long token, long nanos) {
    nodes.get(node).add(new SingletonStopped(node, 100 + node, L, token, nanos, 0));
  }

  private void elected(long term, int leader, long nanos) {
    for (int i = 0; i < nodes.size(); i++) {
      nodes.get(i).add(new LeaderElected(i, 100 + i, L, term, "node-" + leader, nanos, 0));
    }
  }

  /** Term 5 elected and its instance started on node 0 before the window; writes in it. */
  private void quietCluster() {
    elected(5, 0, T0 - 500);
    started(0, 5, T0 - 400);
    for (long t = T0; t < T1; t += 50_000_000L) {
      nodes.get(0).add(new WriteAttempt(0, 100, L, 5, "bench", t, true, t, 0));
    }
  }

  private RestartCount count() {
    return RestartCount.of(nodes, T0, T1);
  }

  @Test
  void aQuietClusterCountsNothing() {
    quietCluster();
    RestartCount c = count();
    assertEquals(new RestartCount(0, 0, 0, 0, 0, 0), c);
    assertEquals(0, c.restarts());
    assertEquals("0 starts (0 same-term), 0 stops, 0 suspensions (0 resumed), 0 new terms, "
        + "0 node exits", c.describe(true, 0));
    assertEquals("0 starts, 0 stops, 0 node exits", c.describe(false, 0));
  }

  @Test
  void aSameTermRestartCountsOnceAndIsNamedSameTerm() {
    // Issue #15: the lease renewal came late, the manager stopped the instance and started it
    // again in the same term.
    quietCluster();
    stopped(0, 5, T0 + 100);
    started(0, 5, T0 + 200);
    RestartCount c = count();
    assertEquals(1, c.restarts());
    assertEquals(1, c.sameTerm());
    assertEquals(0, c.newTerms());
  }

  @Test
  void aSuspensionThatResumesIsNotARestart() {
    quietCluster();
    nodes.get(0).add(new SingletonSuspended(0, 100, L, 5, T0 + 100, 0));
    nodes.get(0).add(new SingletonResumed(0, 100, L, 5, T0 + 300, 0));
    RestartCount c = count();
    assertEquals(0, c.restarts());
    assertEquals(1, c.suspensions());
    assertEquals(1, c.resumes());
  }

  @Test
  void aNewTermOnAnotherNodeCountsOnceWithItsTerm() {
    quietCluster();
    stopped(0, 5, T0 + 100);
    elected(6, 1, T0 + 150);
    started(1, 6, T0 + 200);
    RestartCount c = count();
    assertEquals(1, c.restarts());
    assertEquals(0, c.sameTerm());
    assertEquals(1, c.newTerms(), "term 6, reported by three nodes, is one new term");
  }

  @Test
  void aPekkoMoveCountsOnce() {
    // Pekko's incarnations all carry lineage NONE and token 0 (so same-term is meaningless there).
    nodes.get(0).add(new SingletonStarted(0, 100, 0, 0, T0 - 400, 0));
    nodes.get(0).add(new SingletonStopped(0, 100, 0, 0, T0 + 100, 0));
    nodes.get(1).add(new SingletonStarted(1, 101, 0, 0, T0 + 900, 0));
    assertEquals(1, count().restarts());
  }

  @Test
  void anInstanceGoneOrASecondOneCountsToo() {
    quietCluster();
    stopped(0, 5, T0 + 100); // stopped, nothing started: the cluster has no singleton
    assertEquals(1, count().restarts());

    nodes.forEach(List::clear);
    quietCluster();
    started(2, 6, T0 + 100); // a second instance (or the first one's JVM died without a stop)
    assertEquals(1, count().restarts());

    nodes.forEach(List::clear);
    quietCluster();
    for (int i = 1; i <= 3; i++) { // three restarts in one window
      stopped(0, 5, T0 + i * 100);
      started(0, 5, T0 + i * 100 + 50);
    }
    assertEquals(3, count().restarts());
    assertEquals(3, count().sameTerm());
  }

  @Test
  void eventsOutsideTheWindowAreLeftOutWhateverTheirOrderInTheFile() {
    started(0, 5, T0 - 400);
    stopped(0, 5, T0 - 100); // before the window
    started(1, 6, T1 + 1); // after it
    elected(6, 1, T1 + 1);
    nodes.get(2).add(0, new SingletonStarted(2, 102, L, 7, T1 + 5, 0)); // written first
    assertEquals(new RestartCount(0, 0, 0, 0, 0, 0), count());
    // The bounds are inclusive.
    stopped(1, 6, T0);
    started(1, 7, T1);
    assertEquals(1, count().restarts());
    assertEquals(2, RestartCount.of(nodes, T0, T1).starts() + RestartCount.of(nodes, T0, T1)
        .stops());
  }
}
