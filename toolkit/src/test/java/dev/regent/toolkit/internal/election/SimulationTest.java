package dev.regent.toolkit.internal.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seeded fault simulator over the real election core: S1, S2, S3, S4, X1, L1 and L2 (see
 * {@link History}) must hold on every schedule of every scenario ({@link Simulation.Scenario}). A
 * failing schedule is also written as a golden trace candidate under target/golden. {@code -Dregent.sim.schedules=N} and {@code -Dregent.sim.seed=S} choose the run. A
 * schedule that exceeds its event or simulated-time budget ({@link Simulation#MAX_EVENTS},
 * {@link Simulation#MAX_SIMULATED_NANOS}) fails like any violation instead of hanging the run.
 */
class SimulationTest {

  private static final Logger log = LoggerFactory.getLogger(SimulationTest.class);
  static final long DEFAULT_SCHEDULES = 20_000;

  static long property(String key, long fallback) {
    String v = System.getProperty(key, "").trim();
    return v.isEmpty() ? fallback : Long.parseLong(v);
  }

  @Test
  void noViolationsAcrossSeededSchedules() {
    long schedules = property("regent.sim.schedules", DEFAULT_SCHEDULES);
    long firstSeed = property("regent.sim.seed", 1);
    var options = Simulation.Options.defaults();
    var summary = SimulationRunner.run(firstSeed, schedules, options, 3);
    double seconds = summary.wallNanos() / 1e9;
    String line = String.format(
        "simulated %d schedules (seed %d..%d) scenarios %s: %d violations [%.1f s, %.0f"
            + " schedules/s, %.1f simulated hours, %d events; %s]",
        summary.count(), firstSeed, firstSeed + summary.count() - 1, summary.scenarioCounts(),
        summary.failures().size(), seconds, summary.count() / seconds,
        summary.simulatedNanos() / 3.6e12, summary.events(), summary.counters());
    System.out.println(line); // the CI log's one-line summary (test code, not library code)
    log.info(line);
    for (var f : summary.failures()) {
      System.out.println(SimulationRunner.report(f, options));
      GoldenTraceTest.writeCandidate("real-core-seed-" + f.seed(), f.seed(), options);
    }
    assertEquals(schedules, summary.count() + (summary.failures().isEmpty() ? 0 : schedules
        - summary.count()), "every schedule ran");
    assertTrue(summary.failures().isEmpty(), () -> "violations found, first: seed "
        + summary.failures().get(0).seed() + ": " + summary.failures().get(0).violations());
  }
}
