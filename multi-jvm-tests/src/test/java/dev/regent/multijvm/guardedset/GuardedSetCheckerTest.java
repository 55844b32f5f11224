package dev.regent.multijvm.guardedset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.guardedset.AttemptLog.Attempt;
import dev.regent.multijvm.guardedset.AttemptLog.Outcome;
import dev.regent.multijvm.guardedset.GuardedSetChecker.Row;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each rule of {@link GuardedSetChecker} on small hand-made runs: a clean run passes, and each
 * kind of broken run (a stale row, a foreign lineage, a lost acknowledged insert, a refused insert
 * that is present) is reported as its rule. {@code GuardedSetTest} shows G1 on real JVMs.
 */
class GuardedSetCheckerTest {

  private static final long L = 7;

  private static Row row(long id, long lineage, long token, long pid, long seq) {
    return new Row(id, lineage, token, (int) (pid % 3), pid, seq, "t" + id);
  }

  private static Attempt attempt(Outcome o, long token, long pid, long seq) {
    return new Attempt(o, L, token, (int) (pid % 3), pid, seq, seq);
  }

  @Test
  void cleanRunPasses() {
    var rows = List.of(row(1, L, 1, 100, 0), row(2, L, 1, 100, 1), row(3, L, 2, 101, 0));
    var attempts = List.of(attempt(Outcome.ACKNOWLEDGED, 1, 100, 0),
        attempt(Outcome.ACKNOWLEDGED, 1, 100, 1), attempt(Outcome.REFUSED, 1, 100, 2),
        attempt(Outcome.ACKNOWLEDGED, 2, 101, 0), attempt(Outcome.FAILED, 2, 101, 1));
    var result = GuardedSetChecker.check(rows, attempts);
    assertTrue(result.ok(), result.violations().toString());
    assertEquals(3, result.rows());
    assertEquals(1, result.refused());
    assertEquals(1, result.failed());
  }

  @Test
  void eachBrokenRunIsReportedByItsRule() {
    assertRule("G1", List.of(row(1, L, 2, 101, 0), row(2, L, 1, 100, 5)), List.of());
    assertRule("G2", List.of(row(1, L, 2, 101, 0), row(2, L + 1, 9, 102, 0)), List.of());
    assertRule("G3", List.of(row(1, L, 1, 100, 0)),
        List.of(attempt(Outcome.ACKNOWLEDGED, 1, 100, 1)));
    assertRule("G4", List.of(row(1, L, 1, 100, 0)), List.of(attempt(Outcome.REFUSED, 1, 100, 0)));
  }

  private static void assertRule(String rule, List<Row> rows, List<Attempt> attempts) {
    var result = GuardedSetChecker.check(rows, attempts);
    assertEquals(1, result.violations().size(), result.violations().toString());
    assertTrue(result.violations().get(0).startsWith(rule), result.violations().toString());
  }
}
