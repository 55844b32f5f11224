package dev.regent.multijvm;

import static dev.regent.multijvm.Singletons.awaitFirst;
import static dev.regent.multijvm.Singletons.awaitNewer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.guardedset.AttemptLog;
import dev.regent.multijvm.guardedset.AttemptLog.Attempt;
import dev.regent.multijvm.guardedset.AttemptLog.Outcome;
import dev.regent.multijvm.guardedset.GuardedSetChecker;
import dev.regent.multijvm.guardedset.GuardedSetSetup;
import dev.regent.multijvm.harness.HistoryChecker;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStopped;
import dev.regent.multijvm.harness.MultiJvmCluster;
import dev.regent.toolkit.fencing.jdbc.JdbcFence;
import dev.regent.toolkit.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guarded-set workload (Jepsen's lock + guarded set) on real node JVMs and a real PostgreSQL
 * server that this class starts and stops ({@link PostgresServer}, commit timestamps on): the
 * singleton's incarnations insert rows through {@link JdbcFence} ({@link GuardedSetSetup}) while
 * the test crashes, pauses (longer than the lease) or partitions the node hosting it, then
 * {@link GuardedSetChecker} reads the table back: no row from a deposed incarnation after a newer
 * one wrote, tokens never decreasing in commit order, one lineage, every acknowledged insert
 * present, no refused one. The election history is judged by the suite's {@link HistoryChecker}
 * too. The broken variant writes without the fence and the checker must catch its stale rows.
 * Each fault prints {@code MEASURED guarded-set <fault>: rows written N, refused M}.
 */
class GuardedSetTest {

  private static final Duration UP = Duration.ofSeconds(90);
  private static PostgresServer server;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start("track_commit_timestamp=on");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private record Run(MultiJvmCluster cluster, String url) implements AutoCloseable {
    @Override
    public void close() {
      cluster.close();
    }
  }

  private static Run start(String name, int nodes, boolean fenced) throws SQLException {
    String url = server.createDatabase("gs_" + name.toLowerCase());
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      JdbcFence.builder().build().createTable(c);
      st.execute(GuardedSetSetup.createTableSql());
    }
    var cluster = MultiJvmCluster.builder("guardedSet-" + name).nodes(nodes)
        .setup(GuardedSetSetup.class)
        .config(FencedCounterSetup.CONFIG + "\n" + GuardedSetSetup.URL_KEY + " = \"" + url
            + "\"\n" + GuardedSetSetup.FENCED_KEY + " = " + (fenced ? "on" : "off") + "\n")
        .start();
    return new Run(cluster, url);
  }

  private static List<Attempt> attempts(MultiJvmCluster c) {
    var all = new ArrayList<Attempt>();
    IntStream.range(0, c.size()).forEach(i -> all.addAll(
        AttemptLog.read(GuardedSetSetup.attemptLog(c.stateDirectory(i).getParent()))));
    return all;
  }

  private static void awaitAttempt(MultiJvmCluster c, String what, Predicate<Attempt> which) {
    c.awaitCondition(what, Singletons.WAIT, () -> attempts(c).stream().anyMatch(which));
  }

  /**
   * Waits until incarnations with a token of at least {@code s}'s had {@code n} inserts
   * acknowledged: under heavy load the singleton can move again before one incarnation wrote
   * {@code n} rows, and a later one counts as well.
   */
  private static void awaitAcknowledged(MultiJvmCluster c, SingletonStarted s, int n) {
    c.awaitCondition(n + " inserts acknowledged with token " + s.token() + " or later",
        Singletons.WAIT, () -> attempts(c).stream()
            .filter(a -> a.lineage() == s.lineage() && a.token() >= s.token()
                && a.outcome() == Outcome.ACKNOWLEDGED).count() >= n);
  }

  /** Reads the attempt logs, then the table (in that order), and judges them. */
  private static GuardedSetChecker.Result judge(Run run, String fault) throws SQLException {
    List<Attempt> attempts = attempts(run.cluster());
    List<GuardedSetChecker.Row> rows;
    try (Connection c = DriverManager.getConnection(run.url())) {
      rows = GuardedSetChecker.readRows(c);
    }
    var result = GuardedSetChecker.check(rows, attempts);
    System.out.println("MEASURED guarded-set " + fault + ": rows written " + result.rows()
        + ", refused " + result.refused() + " (acknowledged " + result.acknowledged()
        + ", failed with unknown outcome " + result.failed() + ", incarnations "
        + rows.stream().map(GuardedSetChecker.Row::token).distinct().count() + ")");
    return result;
  }

  /**
   * S1-S3 over the election's history, as the failure suite judges it, but without L1: this test
   * is about the database's side, and the failure suite checks liveness for the same faults
   * (on a machine loaded by other builds a failover can take longer than L1's bound).
   */
  private static void checkElection(MultiJvmCluster c) {
    HistoryChecker.defaults().allowSameTermRestart(true).requireLiveness(false)
        .check(c.history()).assertOk();
  }

  @Test
  void leaderCrash() throws SQLException {
    try (var run = start("crash", 3, true)) {
      var c = run.cluster();
      c.awaitAllUp(UP);
      SingletonStarted first = awaitFirst(c);
      awaitAcknowledged(c, first, 5);
      c.crash(first.node());
      SingletonStarted next = awaitNewer(c, first);
      awaitAcknowledged(c, next, 5);
      var result = judge(run, "leader crash (SIGKILL)");
      result.assertOk();
      assertTrue(result.acknowledged() >= 10);
      checkElection(c);
    }
  }

  @Test
  void leaderPausedLongerThanItsLease() throws SQLException {
    try (var run = start("pause", 3, true)) {
      var c = run.cluster();
      c.awaitAllUp(UP);
      SingletonStarted first = awaitFirst(c);
      awaitAcknowledged(c, first, 5);
      c.pause(first.node());
      SingletonStarted next = awaitNewer(c, first);
      awaitAcknowledged(c, next, 3);
      c.resume(first.node());
      long resumed = System.nanoTime();
      // The woken writer tries again (at least once after its stop): the database must refuse it.
      awaitAttempt(c, "an insert of the woken old incarnation was refused",
          a -> a.pid() == first.pid() && a.token() == first.token() && a.nanos() > resumed
              && a.outcome() == Outcome.REFUSED);
      awaitStopped(c, first);
      awaitAcknowledged(c, next, 10);
      var result = judge(run, "leader paused longer than its lease (SIGSTOP)");
      result.assertOk();
      long accepted = attempts(c).stream().filter(a -> a.pid() == first.pid()
          && a.token() == first.token() && a.nanos() > resumed
          && a.outcome() == Outcome.ACKNOWLEDGED).count();
      assertEquals(0, accepted, "inserts of the woken deposed incarnation acknowledged");
      checkElection(c);
    }
  }

  @Test
  void partitionWithTheLeaderAlone() throws SQLException {
    try (var run = start("partition", 3, true)) {
      var c = run.cluster();
      c.awaitAllUp(UP);
      SingletonStarted first = awaitFirst(c);
      awaitAcknowledged(c, first, 5);
      int leader = first.node();
      Set<Integer> others = new TreeSet<>(List.of(0, 1, 2));
      others.remove(leader);
      // The split-brain resolver downs the lone old leader; its JVM then exits.
      c.allowExit(leader);
      long cut = System.nanoTime();
      c.partition(Set.of(leader), others);
      SingletonStarted next = awaitNewer(c, first);
      assertTrue(others.contains(next.node()), "new singleton on the majority side: " + next);
      awaitAcknowledged(c, next, 5);
      // The database stays reachable from both sides: the cut-off incarnation writes until it
      // stops, and is refused once the new one has written.
      awaitStopped(c, first);
      c.heal();
      awaitAcknowledged(c, next, 10);
      var result = judge(run, "partition 1|2, leader alone");
      result.assertOk();
      long oldAfterNew = attempts(c).stream().filter(a -> a.pid() == first.pid()
          && a.token() == first.token() && a.nanos() > cut).count();
      System.out.println("MEASURED guarded-set partition: attempts of the cut-off incarnation"
          + " after the cut: " + oldAfterNew);
      checkElection(c);
    }
  }

  /**
   * The broken variant: the same pause, with inserts that skip the fence. The woken deposed
   * incarnation's inserts land after the newer one's, and the checker must report them as stale
   * rows (G1), naming the old token, and nothing else.
   */
  @Test
  void brokenVariantWithoutTheFenceIsCaught() throws SQLException {
    try (var run = start("unfenced", 3, false)) {
      var c = run.cluster();
      c.awaitAllUp(UP);
      SingletonStarted first = awaitFirst(c);
      awaitAcknowledged(c, first, 5);
      c.pause(first.node());
      SingletonStarted next = awaitNewer(c, first);
      awaitAcknowledged(c, next, 3);
      c.resume(first.node());
      long resumed = System.nanoTime();
      awaitAttempt(c, "an insert of the woken old incarnation was acknowledged",
          a -> a.pid() == first.pid() && a.token() == first.token() && a.nanos() > resumed
              && a.outcome() == Outcome.ACKNOWLEDGED);
      awaitStopped(c, first);
      var result = judge(run, "broken variant (no fence), leader paused");
      result.violations().stream().limit(5)
          .forEach(v -> System.out.println("MEASURED guarded-set broken variant: checker says " + v));
      assertFalse(result.ok(), "the checker must catch the unfenced stale rows");
      Set<String> kinds = new TreeSet<>();
      result.violations().forEach(v -> kinds.add(v.substring(0, 2)));
      assertEquals(Set.of("G1"), kinds, result.violations().toString());
      assertTrue(result.violations().stream().anyMatch(v -> v.contains("stale row")
              && v.contains("token " + first.token() + " node " + first.node())),
          "a G1 violation names the deposed token " + first.token() + ": " + result.violations());
      assertEquals(0, result.refused());
    }
  }

  private static void awaitStopped(MultiJvmCluster c, SingletonStarted s) {
    c.awaitCondition("the old incarnation (token " + s.token() + ") stopped", Singletons.WAIT,
        () -> c.history().of(SingletonStopped.class).stream()
            .anyMatch(x -> x.pid() == s.pid() && x.token() == s.token())
            || !c.isAlive(s.node()));
  }
}
