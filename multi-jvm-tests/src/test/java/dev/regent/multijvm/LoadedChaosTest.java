package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.CpuHog;
import dev.regent.multijvm.harness.MultiJvmCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link ChaosTest}'s schedule, unchanged, while a {@link CpuHog} over-subscribes the cores, as
 * {@link LoadedFailureSuiteTest} does for the failure suite: its {@code MEASURED chaos} line
 * carries the same-term restarts (goal 0), and the history checker must pass. Opt-in with
 * {@code -Dregent.multijvm.load=on}, for the same reasons as the loaded failure suite (docs/MULTI-JVM.md,
 * "The loaded profile"); 60 s of faults ({@code -Dregent.chaos.seconds=N}).
 */
@EnabledIfSystemProperty(named = "regent.multijvm.load", matches = "on")
class LoadedChaosTest extends ChaosTest {

  private static CpuHog hog;

  @BeforeAll
  static void startHog() {
    hog = LoadedFailureSuiteTest.startHogAndAwaitLoad();
  }

  @BeforeEach
  void hogRuns() {
    assertTrue(hog != null && hog.isAlive(), "the cpu hog runs");
  }

  @AfterAll
  static void stopHog() {
    if (hog != null) {
      hog.close();
    }
  }

  @Override
  MultiJvmCluster.Builder cluster() {
    return MultiJvmCluster.builder("loaded-chaos");
  }
}
