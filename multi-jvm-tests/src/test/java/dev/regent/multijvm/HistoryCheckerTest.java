package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.History;
import dev.regent.multijvm.harness.HistoryChecker;
import dev.regent.multijvm.harness.HistoryEvent;
import dev.regent.multijvm.harness.HistoryEvent.Fault;
import dev.regent.multijvm.harness.HistoryEvent.FaultKind;
import dev.regent.multijvm.harness.HistoryEvent.LeaderElected;
import dev.regent.multijvm.harness.HistoryEvent.NodeExited;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStopped;
import dev.regent.multijvm.harness.HistoryEvent.WriteAttempt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker on hand-made histories: a good one passes, and each broken property is caught. */
class HistoryCheckerTest {

  private static final long S = 1_000_000_000L;
  private static final HistoryChecker CHECKER = HistoryChecker.defaults()
      .withLivenessBound(Duration.ofSeconds(5));

  /** Node 0 (pid 100) runs token 1, crashes at 10 s; node 1 (pid 101) runs token 2 from 11 s. */
  private static List<HistoryEvent> good() {
    var e = new ArrayList<HistoryEvent>();
    e.add(new LeaderElected(0, 100, 1, "a", 1 * S, 0));
    e.add(new LeaderElected(1, 101, 1, "a", 1 * S + 5, 0));
    e.add(new SingletonStarted(0, 100, 1, 2 * S, 0));
    e.add(new WriteAttempt(0, 100, 1, "k", 1, true, 3 * S, 0));
    e.add(new Fault(FaultKind.CRASH, List.of(0), 10 * S, 0));
    e.add(new NodeExited(0, 100, 137, 10 * S + 1000, 0));
    e.add(new LeaderElected(1, 101, 2, "b", 11 * S - 10, 0));
    e.add(new SingletonStarted(1, 101, 2, 11 * S, 0));
    e.add(new WriteAttempt(1, 101, 2, "k", 2, true, 12 * S, 0));
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
    e.add(new LeaderElected(2, 102, 2, "c", 11 * S, 0));
    assertEquals(List.of("S1"), violations(e));
  }

  @Test
  void aTokenThatDoesNotIncreaseBreaksS2() {
    var e = good();
    e.add(new SingletonStopped(1, 101, 2, 13 * S, 0));
    e.add(new SingletonStarted(2, 102, 2, 14 * S, 0));
    assertEquals(List.of("S2"), violations(e));
  }

  @Test
  void sameTermRestartOnTheSameNodeIsS2UnlessAllowed() {
    var e = good();
    e.add(new SingletonStopped(1, 101, 2, 13 * S, 0));
    e.add(new SingletonStarted(1, 101, 2, 14 * S, 0));
    assertEquals(List.of("S2"), violations(e));
    assertTrue(CHECKER.allowSameTermRestart(true).check(new History(e)).ok());
  }

  @Test
  void overlappingIncarnationsBreakS3() {
    var e = good();
    // Node 0 did not crash: its incarnation was still active when node 1's started.
    e.removeIf(x -> x instanceof NodeExited || x instanceof Fault f && f.kind() == FaultKind.CRASH);
    e.add(new SingletonStopped(0, 100, 1, 11 * S + 1, 0));
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
    e.add(new SingletonStopped(0, 100, 1, 15 * S + 300_000_000L, 0));
    assertEquals(List.of(), violations(e));
    // ... but a stale write it made meanwhile that the resource accepted breaks S4.
    e.add(new WriteAttempt(0, 100, 1, "k", 9, true, 15 * S + 100, 0));
    assertEquals(List.of("S4"), violations(e));
  }

  @Test
  void stoppingLaterThanTheGraceAfterResumeBreaksS3() {
    var e = good();
    e.removeIf(x -> x instanceof NodeExited || x instanceof Fault f && f.kind() == FaultKind.CRASH);
    e.add(new Fault(FaultKind.PAUSE, List.of(0), 9 * S, 0));
    e.add(new Fault(FaultKind.RESUME, List.of(0), 15 * S, 0));
    e.add(new SingletonStopped(0, 100, 1, 17 * S, 0));
    assertEquals(List.of("S3"), violations(e));
  }

  @Test
  void aWriteWithATokenNoIncarnationHadBreaksS4() {
    var e = good();
    e.add(new WriteAttempt(2, 102, 7, "k", 3, false, 13 * S, 0));
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

  @Test
  void assertOkNamesTheViolationAndPrintsTheHistory() {
    var e = good();
    e.add(new LeaderElected(2, 102, 2, "c", 11 * S, 0));
    AssertionError err = assertThrows(AssertionError.class,
        () -> CHECKER.check(new History(e)).assertOk());
    assertTrue(err.getMessage().contains("S1: term 2 has 2 leaders"), err.getMessage());
    assertTrue(err.getMessage().contains("\"type\":\"singleton-start\""), err.getMessage());
  }
}
