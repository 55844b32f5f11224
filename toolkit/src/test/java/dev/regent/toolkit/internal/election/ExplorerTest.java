package dev.regent.toolkit.internal.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.internal.election.Explorer.Options;
import dev.regent.toolkit.internal.election.Explorer.Scenario;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bounded exhaustive exploration of the real {@link ElectionCore} ({@link Explorer}): no
 * violation in any explored state, and each planted defect that the model can reach is caught.
 *
 * <p>{@code -Dregent.explore.depth=N} (default {@value #BASE}) is the depth of the main run (three
 * voters from cold); every other run goes deeper by as much. {@code -Dregent.explore.states=N}
 * raises the per-run state cap (default 6,000,000).
 */
class ExplorerTest {

  static final int BASE = 10;

  private static int extra() {
    return Integer.getInteger("regent.explore.depth", BASE) - BASE;
  }

  private static Options clean(Scenario scenario, int depth) {
    return Options.of(scenario, depth + extra())
        .withCap(Long.getLong("regent.explore.states", 6_000_000L));
  }

  @Test
  void realCoreHasNoViolations() {
    var runs = List.of(
        clean(Scenario.THREE, 10),
        clean(Scenario.JOIN4, 8),
        clean(Scenario.LEAVE4, 7),
        clean(Scenario.SWAP4, 8),
        clean(Scenario.BOOTSTRAP3, 11),
        clean(Scenario.ROLLING3, 9),
        clean(Scenario.THREE, 6).from("LEADER", Explorer.LEADER),
        clean(Scenario.THREE, 6).from("SPLIT", Explorer.SPLIT),
        clean(Scenario.THREE, 9).from("RENEWED0", Explorer.quiesced(Explorer.RENEWED)),
        clean(Scenario.THREE, 9).from("QUIET0", Explorer.quiesced(Explorer.QUIET)));
    long states = 0;
    long millis = 0;
    var failures = new ArrayList<String>();
    for (var options : runs) {
      var r = new Explorer(options).run();
      System.out.println(r.report());
      states += r.distinct();
      millis += r.millis();
      if (!r.violations().isEmpty()) {
        failures.add(r.report());
      }
      if (r.capped()) {
        failures.add("capped before its depth: " + r.summary());
      }
    }
    System.out.printf("explored %d distinct states in %d runs (%d ms): %d violations%n", states,
        runs.size(), millis, failures.size());
    assertEquals(List.of(), failures);
  }

  /** Where each defect is hunted: the start, the depth bound, the timeout span, what breaks. */
  record Hunt(Scenario scenario, String start, List<String> script, int depth, int span,
      String property) {}

  static Hunt hunt(Defect defect) {
    return switch (defect) {
      case VOTE_NOT_PERSISTED -> new Hunt(Scenario.THREE, "SPLIT", Explorer.SPLIT, 7, 2, "V:");
      case UNGATED_TIMEOUT_NOW -> new Hunt(Scenario.THREE, "LEADER", Explorer.LEADER, 7, 2, "S3:");
      case NO_RESTART_GRACE -> new Hunt(Scenario.THREE, "RENEWED0",
          Explorer.quiesced(Explorer.RENEWED), 10, 1, "S3:");
      case KEEP_LEASE_AFTER_LOSS -> new Hunt(Scenario.THREE, "QUIET0",
          Explorer.quiesced(Explorer.QUIET), 10, 2, "S3:");
      case LEASE_FROM_ACK_ARRIVAL -> new Hunt(Scenario.THREE, "LATE_ACK0",
          Explorer.quiesced(Explorer.LATE_ACK), 11, 1, "S3:");
      case PER_NODE_LEASE_INEQUALITY -> new Hunt(Scenario.ROLLING3, "QUIET0",
          Explorer.quiesced(Explorer.QUIET), 8, 1, "S3:");
      // Not reachable in this model (see the class comment of the test for why).
      case MULTI_MEMBER_CHANGE -> new Hunt(Scenario.SWAP4, "LEADER", Explorer.LEADER, 6, 2, null);
      case MEMBERSHIP_BOOTSTRAP -> new Hunt(Scenario.BOOTSTRAP3, "cold", List.of(), 10, 2, null);
      case NO_PRE_VOTE, NO_LINEAGE_CHECK, UNBOUNDED_TERM_JUMP ->
          new Hunt(Scenario.THREE, "cold", List.of(), 8, 2, null);
    };
  }

  static Explorer.Result runHunt(Defect defect) {
    var h = hunt(defect);
    var options = Options.of(h.scenario(), h.depth()).withTimeoutSpan(h.span());
    if (!h.script().isEmpty()) {
      options = options.from(h.start(), h.script());
    }
    return new Explorer(options.withDefects(EnumSet.of(defect))).run();
  }

  /**
   * Each defect the model can reach is caught, with the path printed. The start is a scripted,
   * reachable state near the defect (its events are part of the printed path): from cold, the
   * shortest violating paths are 15 to 30 events long, beyond an exhaustive search's reach in CI.
   */
  @ParameterizedTest
  @EnumSource(value = Defect.class, names = {"VOTE_NOT_PERSISTED", "NO_RESTART_GRACE",
      "UNGATED_TIMEOUT_NOW", "KEEP_LEASE_AFTER_LOSS", "LEASE_FROM_ACK_ARRIVAL",
      "PER_NODE_LEASE_INEQUALITY"})
  void catchesPlantedDefect(Defect defect) {
    var r = runHunt(defect);
    System.out.println(defect + ": " + r.report());
    assertFalse(r.violations().isEmpty(), () -> defect + " went unnoticed: " + r.summary());
    String expected = hunt(defect).property();
    assertTrue(r.violations().get(0).startsWith(expected),
        () -> defect + " caught, but not as " + expected + ": " + r.violations());
    System.out.printf("%s caught as %s after %d distinct states (depth %d from %s)%n", defect,
        expected, r.distinct(), r.depthReached(), hunt(defect).start());
  }

  /**
   * Defects outside what the model can express: NO_PRE_VOTE and UNBOUNDED_TERM_JUMP break
   * liveness only (and hostile terms are not generated); NO_LINEAGE_CHECK and
   * MEMBERSHIP_BOOTSTRAP need a second lineage, which no modelled event creates (membership views
   * only grow, and a node that lost its state is re-added, never founds); MULTI_MEMBER_CHANGE
   * needs about fifteen events after the swap. Each is run to a small bound and reported.
   */
  @ParameterizedTest
  @EnumSource(value = Defect.class, names = {"NO_PRE_VOTE", "MULTI_MEMBER_CHANGE",
      "MEMBERSHIP_BOOTSTRAP", "NO_LINEAGE_CHECK", "UNBOUNDED_TERM_JUMP"})
  void reportsDefectsOutOfReach(Defect defect) {
    var r = runHunt(defect);
    System.out.println(defect + " (not expected within reach): " + r.report());
  }

  /** Ad-hoc runs: -Dregent.explore.probe=SCENARIO:START:DEPTH[:DEFECT[:SPAN]],... */
  @Test
  void probe() {
    var prop = System.getProperty("regent.explore.probe");
    Assumptions.assumeTrue(prop != null, "set regent.explore.probe to run");
    for (String spec : prop.split(",")) {
      var p = spec.split(":");
      var o = Options.of(Scenario.valueOf(p[0]), Integer.parseInt(p[2]));
      o = switch (p[1]) {
        case "LEADER" -> o.from("LEADER", Explorer.LEADER);
        case "SPLIT" -> o.from("SPLIT", Explorer.SPLIT);
        case "RENEWED0" -> o.from("RENEWED0", Explorer.quiesced(Explorer.RENEWED));
        case "QUIET0" -> o.from("QUIET0", Explorer.quiesced(Explorer.QUIET));
        case "LATE_ACK0" -> o.from("LATE_ACK0", Explorer.quiesced(Explorer.LATE_ACK));
        default -> o;
      };
      if (p.length > 4) {
        o = o.withTimeoutSpan(Integer.parseInt(p[4]));
      }
      if (p.length > 3 && !p[3].isEmpty()) {
        o = o.withDefects(EnumSet.of(Defect.valueOf(p[3])));
      }
      System.out.println(new Explorer(o).run().report());
    }
  }
}
