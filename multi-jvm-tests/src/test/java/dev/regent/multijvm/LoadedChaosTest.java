package dev.regent.multijvm;

import dev.regent.multijvm.harness.CpuHog;
import dev.regent.multijvm.harness.MultiJvmCluster;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ChaosTest}'s schedule, unchanged, while a {@link CpuHog} over-subscribes the cores, as
 * {@link LoadedFailureSuiteTest} does for the failure suite: its {@code MEASURED chaos} line
 * carries the same-term restarts (goal 0), and the history checker must pass. Opt-in with
 * {@code -Dregent.multijvm.load=on}, for the same reasons as the loaded failure suite (docs/MULTI-JVM.md,
 * "The loaded profile"); 60 s of faults ({@code -Dregent.chaos.seconds=N}).
 */
@EnabledIfSystemProperty(named = "regent.multijvm.load", matches = "on")
@ExtendWith(LoadedProfile.class)
class LoadedChaosTest extends ChaosTest {

  @Override
  MultiJvmCluster.Builder cluster() {
    return MultiJvmCluster.builder("loaded-chaos");
  }
}
