package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.FencedResourceClient;
import dev.regent.multijvm.harness.FencedResourceServer;
import dev.regent.multijvm.harness.History;
import dev.regent.multijvm.harness.HistoryChecker;
import dev.regent.multijvm.harness.HistoryEvent.Fault;
import dev.regent.multijvm.harness.HistoryEvent.FaultKind;
import dev.regent.multijvm.harness.HistoryEvent.LeaderElected;
import dev.regent.multijvm.harness.HistoryEvent.MemberUp;
import dev.regent.multijvm.harness.HistoryEvent.NodeExited;
import dev.regent.multijvm.harness.HistoryEvent.SingletonResumed;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStopped;
import dev.regent.multijvm.harness.HistoryEvent.SingletonSuspended;
import dev.regent.multijvm.harness.HistoryEvent.WriteAttempt;
import dev.regent.multijvm.harness.HistoryEvent;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.leadership.Lineage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker on hand-made histories: a good one passes, and each broken property is caught. */
class HistoryCheckerTest {

  private static final long S = 1_000_000_000L;
  /** The cluster's lineage. */
  private static final long L = 0x5eed_0000_0000_0001L;
  /** A separately founded cluster's lineage (its terms restart from 1). */
  private static final long OTHER = 0x0bad_0000_0000_0002L;
  private static final HistoryChecker CHECKER = HistoryChecker.defaults()
      .withLivenessBound(Duration.ofSeconds(5));

  /** Node 0 (pid 100) runs token 1, crashes at 10 s; node 1 (pid 101) runs token 2 from 11 s. */
  private static List<HistoryEvent> good() {
    var e = new ArrayList<HistoryEvent>();
    e.add(new LeaderElected(0, 100, L, 1, "a", 1 * S, 0));
    e.add(new LeaderElected(1, 101, L, 1, "a", 1 * S + 5, 0));
    e.add(new SingletonStarted(0, 100, L, 1, 2 * S, 0));
    e.add(new WriteAttempt(0, 100, L, 1, "k", 1, true, 3 * S, 0));
    e.add(new Fault(FaultKind.CRASH, List.of(0), 10 * S, 0));
    e.add(new NodeExited(0, 100, 137, 10 * S + 1000, 0));
    e.add(new LeaderElected(1, 101, L, 2, "b", 11 * S - 10, 0));
    e.add(new SingletonStarted(1, 101, L, 2, 11 * S, 0));
    e.add(new WriteAttempt(1, 101, L, 2, "k", 2, true, 12 * S, 0));
    e.add(new Fault(FaultKind.END, List.of(), 20 * S, 0));
    return e;
  }

  private static List<String> violations(List<HistoryEvent> events) {
    return CHECKER.check(new History(events)).violations().stream()
        .map(HistoryChecker.Violation::property).toList();
  }

  @Test
  void goodHistoryPasses() {
    CHECKER.check(new History(good())).assertOk();
  }

  @Test
  void twoLeadersInOneTermBreakS1() {
    var e = good();
    e.add(new LeaderElected(2, 102, L, 2, "c", 11 * S, 0));
    assertEquals(List.of("S1"), violations(e));
  }

  @Test
  void aTokenThatDoesNotIncreaseBreaksS2() {
    var e = good();
    e.add(new SingletonStopped(1, 101, L, 2, 13 * S, 0));
    e.add(new SingletonStarted(2, 102, L, 2, 14 * S, 0));
    assertEquals(List.of("S2"), violations(e));
  }

  @Test
  void sameTermRestartOnTheSameNodeIsS2UnlessAllowed() {
    var e = good();
    e.add(new SingletonStopped(1, 101, L, 2, 13 * S, 0));
    e.add(new SingletonStarted(1, 101, L, 2, 14 * S, 0));
    assertEquals(List.of("S2"), violations(e));
    assertTrue(CHECKER.allowSameTermRestart(true).check(new History(e)).ok());
  }

  @Test
  void overlappingIncarnationsBreakS3() {
    var e = good();
    // Node 0 did not crash: its incarnation was still active when node 1's started.
    e.removeIf(x -> x instanceof NodeExited || x instanceof Fault f && f.kind() == FaultKind.CRASH);
    e.add(new SingletonStopped(0, 100, L, 1, 11 * S + 1, 0));
    var v = CHECKER.check(new History(e)).violations();
    assertEquals(List.of("S3"), v.stream().map(HistoryChecker.Violation::property).toList());
    assertTrue(v.get(0).message().contains("token 1 on node 0 and token 2 on node 1"), v.toString());
  }

  @Test
  void overlapWhileTheOldNodeWasPausedIsNotS3ButItsWritesAreS4() {
    var e = good();
    e.removeIf(x -> x instanceof NodeExited || x instanceof Fault f && f.kind() == FaultKind.CRASH);
    e.add(new Fault(FaultKind.PAUSE, List.of(0), 9 * S, 0));
    e.add(new Fault(FaultKind.RESUME, List.of(0), 15 * S, 0));
    // Woken at 15 s, it stops within the grace (500 ms) ...
    e.add(new SingletonStopped(0, 100, L, 1, 15 * S + 300_000_000L, 0));
    assertEquals(List.of(), violations(e));
    // ... but a stale write it made meanwhile that the resource accepted breaks S4.
    e.add(new WriteAttempt(0, 100, L, 1, "k", 9, true, 15 * S + 100, 0));
    assertEquals(List.of("S4"), violations(e));
  }

  @Test
  void stoppingLaterThanTheGraceAfterResumeBreaksS3() {
    var e = good();
    e.removeIf(x -> x instanceof NodeExited || x instanceof Fault f && f.kind() == FaultKind.CRASH);
    e.add(new Fault(FaultKind.PAUSE, List.of(0), 9 * S, 0));
    e.add(new Fault(FaultKind.RESUME, List.of(0), 15 * S, 0));
    e.add(new SingletonStopped(0, 100, L, 1, 17 * S, 0));
    var v = CHECKER.check(new History(e)).violations();
    assertEquals(List.of("S3"), v.stream().map(HistoryChecker.Violation::property).toList());
    // The old incarnation is named first although its stretch after the pause began second.
    assertTrue(v.get(0).message().contains("token 1 on node 0 and token 2 on node 1 were both"
        + " active from +14.500 s to +16.000 s"), v.toString());
  }

  /**
   * Suspension (issue 15): node 0's incarnation (token 1) is suspended at 9 s, when its lease ran
   * low; node 1 is elected in term 2 and starts token 2 at 11 s; node 0 learns of term 2 and stops
   * its suspended incarnation at 11.3 s. The two incarnations existed together for 0.3 s, but the
   * old one was suspended (handled nothing): not S3.
   */
  private static List<HistoryEvent> suspendedDuringTheOverlap() {
    var e = good();
    e.removeIf(x -> x instanceof NodeExited || x instanceof Fault f && f.kind() == FaultKind.CRASH);
    e.add(new SingletonSuspended(0, 100, L, 1, 9 * S, 0));
    e.add(new LeaderElected(0, 100, L, 2, "b", 11 * S + 200_000_000L, 0));
    e.add(new SingletonStopped(0, 100, L, 1, 11 * S + 300_000_000L, 0));
    return e;
  }

  @Test
  void anOldIncarnationSuspendedDuringTheOverlapIsNotS3() {
    CHECKER.check(new History(suspendedDuringTheOverlap())).assertOk();
    // The same history without the suspension is an overlap of two active incarnations.
    var unsuspended = suspendedDuringTheOverlap();
    unsuspended.removeIf(x -> x instanceof SingletonSuspended);
    assertEquals(List.of("S3"), violations(unsuspended));
  }

  @Test
  void aResumeInTheTermOfTheSuspensionIsFineAndActiveAgain() {
    var e = good();
    e.add(new SingletonSuspended(0, 100, L, 1, 4 * S, 0));
    e.add(new SingletonResumed(0, 100, L, 1, 4 * S + 250_000_000L, 0));
    e.add(new WriteAttempt(0, 100, L, 1, "k", 2, true, 5 * S, 0));
    CHECKER.check(new History(e)).assertOk();
    // Active again after the resume: node 0 still active when node 1 starts (no crash) is S3.
    e.removeIf(x -> x instanceof NodeExited || x instanceof Fault f && f.kind() == FaultKind.CRASH);
    e.add(new SingletonStopped(0, 100, L, 1, 12 * S, 0));
    assertEquals(List.of("S3"), violations(e));
  }

  /**
   * The wrong resume, as the lying election in the singleton module's {@code SuspendTest} makes
   * the manager do it, and as its lifecycle listener records it: node 0's incarnation of token 3
   * is suspended; node 1 led term 4 meanwhile (and crashed before it started anything); node 0
   * is elected in term 5 and resumes token 3 instead of stopping it and starting token 5. No two
   * incarnations overlap and the resource sees nothing out of order (S2-S4 as such pass); only
   * the resume rule catches it.
   */
  private static List<HistoryEvent> resumedInANewerTerm() {
    var e = new ArrayList<HistoryEvent>();
    e.add(new LeaderElected(0, 100, L, 3, "a", 1 * S, 0));
    e.add(new LeaderElected(1, 101, L, 3, "a", 1 * S + 5, 0));
    e.add(new SingletonStarted(0, 100, L, 3, 2 * S, 0));
    e.add(new WriteAttempt(0, 100, L, 3, "k", 1, true, 3 * S, 0));
    e.add(new SingletonSuspended(0, 100, L, 3, 4 * S, 0));
    e.add(new LeaderElected(1, 101, L, 4, "b", 5 * S, 0));
    e.add(new Fault(FaultKind.CRASH, List.of(1), 5 * S + 100, 0));
    e.add(new NodeExited(1, 101, 137, 5 * S + 200, 0));
    e.add(new LeaderElected(0, 100, L, 5, "a", 7 * S, 0));
    e.add(new SingletonResumed(0, 100, L, 3, 7 * S + 1_000_000L, 0));
    e.add(new WriteAttempt(0, 100, L, 3, "k", 2, true, 8 * S, 0));
    e.add(new Fault(FaultKind.END, List.of(), 20 * S, 0));
    return e;
  }

  @Test
  void aResumeAfterTheNodeLearnedOfANewerTermIsFlagged() {
    var v = CHECKER.check(new History(resumedInANewerTerm())).violations();
    assertEquals(List.of("S3"), v.stream().map(HistoryChecker.Violation::property).toList());
    assertTrue(v.get(0).message().contains("node 0 resumed its incarnation with token 3"),
        v.toString());
    assertTrue(v.get(0).message().contains("learned of term 5"), v.toString());
    // Learning of another node's leadership counts too (here node 1's term 4).
    var e = resumedInANewerTerm();
    e.removeIf(x -> x instanceof LeaderElected l && l.term() == 5);
    e.add(new LeaderElected(0, 100, L, 4, "b", 5 * S + 10, 0));
    assertEquals(List.of("S3"), violations(e));
    // Without the newer term the same resume is fine.
    e.removeIf(x -> x instanceof LeaderElected l && l.node() == 0 && l.term() == 4);
    CHECKER.check(new History(e)).assertOk();
  }

  /**
   * The broken variant with a live successor: node 1 elected in term 4 starts token 4 and keeps
   * running; node 0 resumes token 3 after learning of term 4 and writes. The checker reports the
   * resume, the overlap of the resumed incarnation with token 4 (S3), and the resource accepting
   * token 3 after token 4 (S4).
   */
  @Test
  void aResumeBesideTheNewerIncarnationBreaksS3AndS4() {
    var e = new ArrayList<HistoryEvent>();
    e.add(new LeaderElected(0, 100, L, 3, "a", 1 * S, 0));
    e.add(new SingletonStarted(0, 100, L, 3, 2 * S, 0));
    e.add(new SingletonSuspended(0, 100, L, 3, 4 * S, 0));
    e.add(new LeaderElected(1, 101, L, 4, "b", 5 * S, 0));
    e.add(new SingletonStarted(1, 101, L, 4, 5 * S + 1000, 0));
    e.add(new WriteAttempt(1, 101, L, 4, "k", 1, true, 6 * S, 0));
    e.add(new LeaderElected(0, 100, L, 4, "b", 6 * S + 500, 0));
    e.add(new SingletonResumed(0, 100, L, 3, 7 * S, 0));
    e.add(new WriteAttempt(0, 100, L, 3, "k", 2, true, 8 * S, 0));
    e.add(new Fault(FaultKind.END, List.of(), 20 * S, 0));
    var v = CHECKER.check(new History(e)).violations();
    assertEquals(List.of("S3", "S3", "S4"),
        v.stream().map(HistoryChecker.Violation::property).sorted().toList(), v.toString());
  }

  @Test
  void suspensionEventsSurviveTheEventsFile(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) {
    var file = dir.resolve("events.jsonl");
    try (var recorder = new dev.regent.multijvm.harness.HistoryRecorder(file, 0)) {
      var token = FencingToken.of(L, 3);
      recorder.singletonSuspended(token, 5);
      recorder.singletonResumed(token, 6);
    }
    var read = dev.regent.multijvm.harness.HistoryRecorder.read(file);
    assertEquals(2, read.size());
    assertTrue(read.get(0) instanceof SingletonSuspended s && s.token() == 3 && s.nanos() == 5
        && s.lineage() == L, read.toString());
    assertTrue(read.get(1) instanceof SingletonResumed r && r.token() == 3 && r.nanos() == 6,
        read.toString());
  }

  @Test
  void aWriteWithATokenNoIncarnationHadBreaksS4() {
    var e = good();
    e.add(new WriteAttempt(2, 102, L, 7, "k", 3, false, 13 * S, 0));
    assertEquals(List.of("S4"), violations(e));
  }

  @Test
  void noSingletonAfterTheLastFaultBreaksL1() {
    var e = good();
    e.removeIf(x -> x instanceof SingletonStarted s && s.token() == 2
        || x instanceof WriteAttempt w && w.token() == 2);
    assertEquals(List.of("L1"), violations(e));
    assertTrue(CHECKER.requireLiveness(false).check(new History(e)).ok());
  }

  /**
   * Token 2 starts only at 27 s: node 0, restarted at 12 s, is Up at 26 s (a slow start on a loaded
   * machine), and the quorum may need it. 15 s after the restart no singleton runs, 1 s after node
   * 0 is Up one does.
   */
  private static List<HistoryEvent> slowRestart(boolean singletonAfterUp) {
    var e = good();
    e.removeIf(x -> x instanceof SingletonStarted s && s.token() == 2
        || x instanceof WriteAttempt w && w.token() == 2 || x instanceof Fault f
        && f.kind() == FaultKind.END);
    e.add(new Fault(FaultKind.RESTART, List.of(0), 12 * S, 0));
    e.add(new MemberUp(0, 200, 14_000, 26 * S, 0));
    if (singletonAfterUp) {
      e.add(new SingletonStarted(1, 101, L, 2, 27 * S, 0));
    }
    e.add(new Fault(FaultKind.END, List.of(), 40 * S, 0));
    return e;
  }

  @Test
  void l1CountsFromTheLastNodeUpAfterTheLastFault() {
    assertEquals(List.of(), violations(slowRestart(true)));
  }

  @Test
  void noSingletonAfterTheLastNodeIsUpStillBreaksL1() {
    var result = CHECKER.check(new History(slowRestart(false)));
    assertEquals(List.of("L1"),
        result.violations().stream().map(HistoryChecker.Violation::property).toList());
    assertTrue(result.violations().get(0).message().contains("last node Up after it, 14000 ms"),
        result.violations().get(0).message());
  }

  @Test
  void assertOkNamesTheViolationAndPrintsTheHistory() {
    var e = good();
    e.add(new LeaderElected(2, 102, L, 2, "c", 11 * S, 0));
    AssertionError err = assertThrows(AssertionError.class,
        () -> CHECKER.check(new History(e)).assertOk());
    assertTrue(err.getMessage().contains("S1: term 2 of lineage " + Lineage.format(L) + " has 2 leaders"),
        err.getMessage());
    assertTrue(err.getMessage().contains("\"type\":\"singleton-start\""), err.getMessage());
  }

  /**
   * Node 1's incarnation stops at 13 s; a node of another lineage (a separately founded cluster
   * sharing the resource) then runs token 9 of its own from 14 s: no overlap (no S3), and tokens of
   * two lineages are unrelated (no S2).
   */
  private static List<HistoryEvent> foreignIncarnation() {
    var e = good();
    e.add(new SingletonStopped(1, 101, L, 2, 13 * S, 0));
    e.add(new LeaderElected(2, 102, OTHER, 9, "x", 14 * S - 10, 0));
    e.add(new SingletonStarted(2, 102, OTHER, 9, 14 * S, 0));
    return e;
  }

  @Test
  void aRejectedWriteOfAnotherLineageIsFine() {
    var e = foreignIncarnation();
    e.add(new WriteAttempt(2, 102, OTHER, 9, "k", 3, false, 15 * S, 0));
    assertEquals(List.of(), violations(e));
  }

  @Test
  void anAcceptedWriteOfAnotherLineageBreaksS4WhateverItsTerm() {
    for (long term : new long[] {9, 1}) {
      var e = foreignIncarnation();
      e.removeIf(x -> x instanceof SingletonStarted s && s.lineage() == OTHER);
      e.add(new SingletonStarted(2, 102, OTHER, term, 14 * S, 0));
      e.add(new WriteAttempt(2, 102, OTHER, term, "k", 3, true, 15 * S, 0));
      var v = CHECKER.check(new History(e)).violations();
      assertEquals(List.of("S4"), v.stream().map(HistoryChecker.Violation::property).toList(),
          "term " + term + ": " + v);
      assertTrue(v.get(0).message().contains("of lineage " + Lineage.format(OTHER)
          + " was accepted, but the resource was pinned to lineage " + Lineage.format(L)),
          v.toString());
    }
  }

  @Test
  void theFirstAcceptedWritePinsTheLineage() {
    // The foreign cluster got its write in first: from then on the real cluster's accepted writes
    // are the foreign ones from the resource's point of view.
    var e = new ArrayList<HistoryEvent>();
    e.add(new SingletonStarted(2, 102, OTHER, 9, 1 * S, 0));
    e.add(new WriteAttempt(2, 102, OTHER, 9, "k", 1, true, 2 * S, 0));
    e.add(new SingletonStopped(2, 102, OTHER, 9, 3 * S, 0));
    e.add(new SingletonStarted(0, 100, L, 1, 4 * S, 0));
    e.add(new WriteAttempt(0, 100, L, 1, "k", 2, true, 5 * S, 0));
    e.add(new Fault(FaultKind.END, List.of(), 6 * S, 0));
    assertEquals(List.of("S4"), violations(e));
  }

  @Test
  void s1AndS2AreJudgedPerLineage() {
    var e = foreignIncarnation();
    // Term 2 of the other lineage has its own leader, and its tokens restart below ours.
    e.add(new LeaderElected(2, 102, OTHER, 2, "y", 13 * S + 5, 0));
    e.add(new SingletonStopped(2, 102, OTHER, 9, 15 * S, 0));
    e.add(new SingletonStarted(2, 102, OTHER, 10, 16 * S, 0));
    assertEquals(List.of(), violations(e));
    // Within the other lineage a token that does not increase is still S2.
    e.add(new SingletonStopped(2, 102, OTHER, 10, 17 * S, 0));
    e.add(new SingletonStarted(2, 102, OTHER, 3, 18 * S, 0));
    assertEquals(List.of("S2"), violations(e));
  }

  @Test
  void aWriteMustNameItsIncarnationsLineage() {
    var e = good();
    // Node 1 runs token 2 of L; a write with token 2 of OTHER from it is an invented token.
    e.add(new WriteAttempt(1, 101, OTHER, 2, "k", 3, false, 13 * S, 0));
    assertEquals(List.of("S4"), violations(e));
  }

  /**
   * The same write attempts decided by the harness's resource (FencingGuard: pins the lineage) and
   * by a deliberately broken resource that compares terms only, as the resource did before
   * lineages: the broken one accepts the foreign cluster's higher term and the checker flags it;
   * the real one refuses it and the history passes. The real one is driven over its TCP protocol,
   * so the lineage demonstrably travels with the write.
   */
  @Test
  void theCheckerCatchesAResourceThatComparesTermsOnly() {
    var attempts = List.of(
        new WriteAttempt(0, 100, L, 1, "k", 1, false, 3 * S, 0),
        new WriteAttempt(1, 101, L, 2, "k", 2, false, 12 * S, 0),
        new WriteAttempt(2, 102, OTHER, 9, "k", 3, false, 15 * S, 0),
        new WriteAttempt(1, 101, L, 2, "k", 4, false, 15 * S + 1, 0));
    var base = foreignIncarnation();
    base.removeIf(x -> x instanceof WriteAttempt);
    // Node 1's incarnation keeps running while the foreign one does (two clusters sharing the
    // resource): the S3 overlap is expected, S4 is what differs.
    base.removeIf(x -> x instanceof SingletonStopped s && s.lineage() == L && s.token() == 2);

    // Broken: the old rule, token >= highest term, lineage ignored.
    var broken = new ArrayList<>(base);
    long highest = Long.MIN_VALUE;
    for (WriteAttempt w : attempts) {
      boolean ok = w.token() >= highest;
      highest = ok ? w.token() : highest;
      broken.add(decided(w, ok));
    }
    var brokenProps = violations(broken);
    assertTrue(brokenProps.contains("S4"), "the term-only resource must break S4: " + brokenProps);

    // Real: the harness's resource over TCP.
    var real = new ArrayList<>(base);
    try (var server = new FencedResourceServer()) {
      for (WriteAttempt w : attempts) {
        boolean ok = new FencedResourceClient(server.port(), w.node())
            .write(FencingToken.of(w.lineage(), w.token()), w.key(), w.value());
        real.add(decided(w, ok));
      }
      assertEquals(List.of(true, true, false, true),
          server.writes().stream().map(WriteAttempt::accepted).toList());
      assertEquals(L, server.lineage().orElseThrow());
      assertEquals(List.of(L, L, OTHER, L),
          server.writes().stream().map(WriteAttempt::lineage).toList());
    }
    assertEquals(List.of("S3"), violations(real));
  }

  private static WriteAttempt decided(WriteAttempt w, boolean accepted) {
    return new WriteAttempt(w.node(), w.pid(), w.lineage(), w.token(), w.key(), w.value(),
        accepted, w.nanos(), w.wallMillis());
  }
}
