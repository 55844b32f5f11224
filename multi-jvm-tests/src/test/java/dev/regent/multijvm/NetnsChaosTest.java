package dev.regent.multijvm;

import dev.regent.multijvm.harness.MultiJvmCluster;
import dev.regent.multijvm.harness.NetworkBackend;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link ChaosTest}'s schedule, unchanged, on the namespace backend: the partitions are packet
 * filters in the nodes' namespaces instead of Artery's blackhole. 30 s of faults by default (CI's
 * time budget; {@code -Dregent.chaos.seconds=N} for longer). Skipped, or failed with
 * {@code CI=true}, where the backend cannot run (see {@link NetnsFailureSuiteTest}).
 */
class NetnsChaosTest extends ChaosTest {

  @Override
  int defaultSeconds() {
    return 30;
  }

  @BeforeAll
  static void requireNamespaces() {
    NetnsFailureSuiteTest.requireNetns();
  }

  @Override
  MultiJvmCluster.Builder cluster() {
    return MultiJvmCluster.builder("netns-chaos").network(NetworkBackend.NETNS);
  }
}
