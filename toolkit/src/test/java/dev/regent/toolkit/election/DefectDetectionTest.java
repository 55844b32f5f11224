package dev.regent.toolkit.election;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The checkers must be able to fail: each deliberately broken variant of the core is run through
 * the simulator until a schedule violates the property the defect breaks. A budget bounds the hunt.
 */
class DefectDetectionTest {

  private static final long BUDGET = 10_000;
  private static final long MS = 1_000_000L;

  @ParameterizedTest
  @EnumSource(Defect.class)
  void simulatorCatchesDefect(Defect defect) {
    var options = Simulation.Options.defaults().withDefects(EnumSet.of(defect));
    if (defect == Defect.NO_PRE_VOTE) {
      options = options.withScenario(Simulation.Scenario.RETURNING_NODE);
    }
    if (defect == Defect.VOTE_NOT_PERSISTED) {
      // Split votes are what a forgotten vote breaks: a narrow timeout range makes them common.
      options = options.withScenario(Simulation.Scenario.CRASH_LOOP)
          .withTimings(new ElectionTimings(100 * MS, 700 * MS, 720 * MS, 500 * MS, 0.1));
    }
    if (defect == Defect.LEASE_FROM_ACK_ARRIVAL) {
      options = options.withScenario(Simulation.Scenario.CHAOS); // where the long delays are
    }
    if (defect == Defect.MULTI_MEMBER_CHANGE) {
      options = options.withScenario(Simulation.Scenario.MEMBERSHIP_SPLIT);
    }
    var summary = SimulationRunner.run(1, BUDGET, options, 1);
    assertFalse(summary.failures().isEmpty(),
        () -> defect + " went unnoticed in " + BUDGET + " schedules");
    var caught = summary.failures().get(0);
    String expected = expectedProperty(defect);
    assertTrue(caught.violations().stream().anyMatch(v -> v.contains(expected)),
        () -> defect + " was caught, but not as a " + expected + " violation: "
            + caught.violations());
    // Replays identically from the seed alone.
    var replay = Simulation.run(caught.seed(), options);
    assertTrue(replay.violations().equals(caught.violations()), "replay differs");
    System.out.printf("%s caught as %s by seed %d after %d schedules%n", defect, expected,
        caught.seed(), summary.count());
  }

  /** The property each defect breaks. */
  private static String expectedProperty(Defect defect) {
    return switch (defect) {
      case VOTE_NOT_PERSISTED -> "S"; // S1, or S2 when the same node wins a term twice
      case LEASE_FROM_ACK_ARRIVAL, KEEP_LEASE_AFTER_LOSS -> "S3";
      case NO_PRE_VOTE -> "L2";
      case MULTI_MEMBER_CHANGE -> "S";
    };
  }
}
