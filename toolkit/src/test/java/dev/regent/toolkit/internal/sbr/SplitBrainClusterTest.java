package dev.regent.toolkit.internal.sbr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.metrics.RegentMetrics;
import dev.regent.toolkit.testkit.Blackhole;
import java.time.Duration;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each strategy on a real 3-node cluster in this JVM: a 2|1 partition made with the Artery
 * blackhole downs the side the strategy should down, and that side's ActorSystems terminate.
 */
class SplitBrainClusterTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private LocalCluster cluster;

  @BeforeEach
  void clearLeases() {
    InMemoryLease.HOLDERS.clear();
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  private void start(String config) {
    cluster = new LocalCluster(3);
    cluster.start(config);
  }

  @Test
  void keepMajorityDownsTheMinority() {
    start("regent.split-brain-resolver.active-strategy = keep-majority");
    Blackhole.partition(cluster.nodes(0, 1), cluster.nodes(2));
    cluster.awaitOutcome(new int[] {0, 1}, new int[] {2}, TIMEOUT);
    // The majority's deciding node counted the decision (JMX: SplitBrainDecisions...).
    var metrics = cluster.nodes(0, 1).stream()
        .map(n -> RegentMetrics.get(Adapter.toTyped(n))).toList();
    assertEquals(1, metrics.stream().mapToLong(RegentMetrics::splitBrainDecisions).sum());
    assertEquals(1, metrics.stream().mapToLong(RegentMetrics::splitBrainDowned).sum());
    assertTrue(metrics.stream().anyMatch(m -> m.splitBrainDecisionsByStrategy()
        .equals(java.util.Map.of("keep-majority", 1L))), metrics.stream()
        .map(RegentMetrics::lastSplitBrainDecision).toList().toString());
  }

  @Test
  void staticQuorumDownsTheSideBelowQuorum() {
    start("regent.split-brain-resolver { active-strategy = static-quorum\n"
        + " static-quorum.quorum-size = 2 }");
    Blackhole.partition(cluster.nodes(0, 1), cluster.nodes(2));
    cluster.awaitOutcome(new int[] {0, 1}, new int[] {2}, TIMEOUT);
  }

  @Test
  void keepOldestDownsTheOldestWhenItIsAlone() {
    start("regent.split-brain-resolver { active-strategy = keep-oldest\n"
        + " keep-oldest.down-if-alone = on }");
    // Node 0 became Up first: it is the oldest. Alone against two, it downs itself.
    Blackhole.partition(cluster.nodes(0), cluster.nodes(1, 2));
    cluster.awaitOutcome(new int[] {1, 2}, new int[] {0}, TIMEOUT);
  }

  @Test
  void keepRefereeKeepsTheRefereeSideEvenAsMinority() {
    cluster = new LocalCluster(3);
    cluster.start("regent.split-brain-resolver { active-strategy = keep-referee\n"
        + " keep-referee.address = \"" + cluster.address(2) + "\" }");
    // The referee (node 2) is alone against two: its side is kept, the other downs itself.
    Blackhole.partition(cluster.nodes(0, 1), cluster.nodes(2));
    cluster.awaitOutcome(new int[] {2}, new int[] {0, 1}, TIMEOUT);
  }

  @Test
  void indirectlyConnectedMembersAreDowned() {
    start("regent.split-brain-resolver.active-strategy = keep-majority");
    // Only the link between nodes 0 and 1 is cut; node 2 still talks to both, so gossip connects
    // all three. Nodes 0 and 1 are indirectly connected: both are downed, node 2 stays.
    Blackhole.partition(cluster.nodes(0), cluster.nodes(1));
    cluster.awaitOutcome(new int[] {2}, new int[] {0, 1}, TIMEOUT);
  }

  @Test
  void downAllDownsBothSides() {
    start("regent.split-brain-resolver.active-strategy = down-all");
    Blackhole.partition(cluster.nodes(0, 1), cluster.nodes(2));
    cluster.awaitOutcome(new int[] {}, new int[] {0, 1, 2}, TIMEOUT);
  }

  private static final String LEASE_CONFIG =
      "regent.split-brain-resolver { active-strategy = lease-majority\n"
          + " lease-majority { lease-implementation = test-lease, lease-name = sbr-test-lease\n"
          + "   acquire-lease-delay-for-minority = 1s, release-after = 30s } }\n"
          + "test-lease.lease-class = dev.regent.toolkit.internal.sbr.InMemoryLease";

  @Test
  void leaseMajorityKeepsTheMinorityWhenItAlreadyHoldsTheLease() {
    cluster = new LocalCluster(3);
    // Node 2 (alone) holds the lease before the partition: it survives, the majority downs itself.
    String owner2 = cluster.address(2).substring("pekko://".length());
    InMemoryLease.HOLDERS.put("sbr-test-lease", owner2);
    cluster.start(LEASE_CONFIG);
    Blackhole.partition(cluster.nodes(0, 1), cluster.nodes(2));
    cluster.awaitOutcome(new int[] {2}, new int[] {0, 1}, TIMEOUT);
    assertEquals(owner2, InMemoryLease.HOLDERS.get("sbr-test-lease"));
  }

  @Test
  void leaseMajorityKeepsTheSideHoldingTheLease() {
    start("regent.split-brain-resolver { active-strategy = lease-majority\n"
        + " lease-majority { lease-implementation = test-lease, lease-name = sbr-test-lease\n"
        + "   acquire-lease-delay-for-minority = 1s, release-after = 30s } }\n"
        + "test-lease.lease-class = dev.regent.toolkit.internal.sbr.InMemoryLease");
    Blackhole.partition(cluster.nodes(0, 1), cluster.nodes(2));
    cluster.awaitOutcome(new int[] {0, 1}, new int[] {2}, TIMEOUT);
    String holder = InMemoryLease.HOLDERS.get("sbr-test-lease");
    assertTrue(holder != null && !holder.endsWith(":" + cluster.address(2).replaceAll(".*:", "")),
        "the lease is held by the surviving side, was " + holder);
    assertEquals(2, cluster.members(0));
  }
}
