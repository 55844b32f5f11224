package dev.regent.toolkit.internal.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The simulator cannot hang (issue 14, item 0).
 *
 * <p>The hang this guards against, observed before the fix: a run of 50,000 schedules from seed
 * 7,404,557 never finished. Run alone in a thread, {@code Simulation.run(7442858, defaults)} was
 * still running after 20 s of wall time (it had no bound at all). With only the event budget in
 * place (2,000,000 events at the time) it stopped with {@code at 1875.863ms: event budget exceeded:
 * 2000000 events ... (seed 7442858, GROWTH; ...); n1#1 Leader t1 cfg(1.4)[n1#1, n2#1, n3#1];
 * n2#1(down); n3#1 Follower t1 ...}: simulated time never passed 1,875.863 ms. The leader's
 * {@code wakeAt} was 1 ns after its local now; converting it through its drifted clock rate back
 * to simulated real time rounded the difference to 0, so the same empty Tick fired at the same
 * instant forever. With the conversion fixed the seed finishes in 399 events at 5,399 ms of
 * simulated time, with no violation.
 */
class SimulationHangTest {

  private static final long MS = 1_000_000L;

  /** The seed that hung; each run is bounded in wall time so a regression fails, not hangs. */
  @ParameterizedTest
  @ValueSource(longs = {7_442_858L})
  void formerlyHangingSeedFinishesWithoutViolations(long seed) {
    var options = Simulation.Options.defaults();
    Simulation.Result r = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> Simulation.run(seed, options));
    assertEquals(0, r.violations().size(), () -> "seed " + seed + ": " + r.violations());
    assertTrue(r.events() < options.maxEvents() / 10,
        () -> "seed " + seed + " used " + r.events() + " events");
  }

  /**
   * A local time after a clock's reading at real time {@code now} maps to a real time strictly
   * after {@code now}, and the conversion is the exact inverse of reading the clock: over clock
   * rates within the drift bound, arbitrary offsets and simulated times up to an hour.
   */
  @Test
  void aFutureLocalWakeUpIsNeverTheCurrentInstant() {
    var rnd = new SplittableRandom(14);
    int roundedToNowBefore = 0;
    for (int i = 0; i < 1_000_000; i++) {
      double rate = switch (rnd.nextInt(3)) {
        case 0 -> 1.0;
        case 1 -> 1.1;
        default -> 1.0 + 0.1 * rnd.nextDouble();
      };
      long offset = rnd.nextLong(1L << 40);
      long now = rnd.nextLong(3_600_000 * MS);
      long localNow = Simulation.localAt(offset, rate, now);
      long wake = localNow + 1 + (rnd.nextInt(4) == 0 ? rnd.nextLong(1_000 * MS) : 0);
      long real = Simulation.realOf(offset, rate, wake);
      assertTrue(real > now, "rate " + rate + " offset " + offset + " now " + now);
      assertTrue(Simulation.localAt(offset, rate, real) >= wake);
      assertTrue(Simulation.localAt(offset, rate, real - 1) < wake);
      if ((long) Math.ceil((wake - offset) / rate) <= now) {
        roundedToNowBefore++;
      }
    }
    // The conversion the simulator used before did map some of these to the current instant.
    assertTrue(roundedToNowBefore > 0, "the old conversion never rounded to now in this sample");
  }

  @Test
  void exceedingTheEventBudgetIsAViolationNotAnEndlessRun() {
    var options = Simulation.Options.defaults().withBudget(50, Simulation.MAX_SIMULATED_NANOS);
    Simulation.Result r = Simulation.run(1, options);
    assertFalse(r.ok());
    assertEquals(50, r.events());
    assertTrue(r.violations().get(0).contains("event budget exceeded: 50 events (budget 50)"),
        r.violations()::toString);
    assertTrue(r.violations().get(0).contains("seed 1"), r.violations()::toString);
  }

  @Test
  void exceedingTheSimulatedTimeBudgetIsAViolationNotAnEndlessRun() {
    var options = Simulation.Options.defaults().withBudget(Simulation.MAX_EVENTS, 1_000 * MS);
    Simulation.Result r = Simulation.run(1, options);
    assertFalse(r.ok());
    assertTrue(r.simulatedNanos() > 1_000 * MS);
    assertTrue(r.violations().get(0).contains("simulated-time budget exceeded"),
        r.violations()::toString);
  }

  /** Through the runner, a budget breach is a failure like any other, reported with its trace. */
  @Test
  void theRunnerReportsABudgetBreachWithSeedAndTrace() {
    var options = Simulation.Options.defaults().withBudget(20, Simulation.MAX_SIMULATED_NANOS);
    var summary = SimulationRunner.run(1, 5, options, 5);
    assertEquals(5, summary.failures().size());
    var first = summary.failures().get(0);
    String report = SimulationRunner.report(first, options);
    assertTrue(report.startsWith("seed 1 ("), report);
    assertTrue(report.contains("event budget exceeded"), report);
    assertTrue(report.contains("replay identical"), report);
    assertTrue(report.lines().count() > 3, "the report carries the trace: " + report);
  }
}
