package dev.regent.toolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.Blackhole;
import dev.regent.toolkit.testkit.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Elections among real actor systems on loopback Artery TCP in this JVM. */
class ElectionClusterTest {

  private static final Duration ELECT = Duration.ofSeconds(20);

  @TempDir
  Path stateRoot;

  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void threeNodesElectOneLeaderAndFailOverWhenItsSystemTerminates() {
    cluster = new TestCluster(stateRoot);
    List<ActorSystem<Void>> nodes = cluster.form(3);
    ActorSystem<Void> leader = TestCluster.awaitLeader(nodes, -1, ELECT);
    long term = TestCluster.view(leader).term();

    cluster.terminate(leader);
    ActorSystem<Void> next = TestCluster.awaitLeader(cluster.live(), term, ELECT);
    assertTrue(TestCluster.view(next).term() > term);
  }

  @Test
  void aPartitionedLeaderLosesItsLeaseAndTheMajorityElectsAnother() {
    cluster = new TestCluster(stateRoot);
    List<ActorSystem<Void>> nodes = cluster.form(3);
    ActorSystem<Void> leader = TestCluster.awaitLeader(nodes, -1, ELECT);
    long term = TestCluster.view(leader).term();
    var majority = TestCluster.without(nodes, leader);
    for (ActorSystem<Void> other : majority) {
      Blackhole.cut(leader, other);
    }
    ActorSystem<Void> next = TestCluster.awaitLeader(majority, term, ELECT);
    assertTrue(majority.stream().anyMatch(s -> s == next));
    assertFalse(TestCluster.view(leader).holdsLease(), "the minority must not hold a lease");
    Await.until(ELECT, "the cut-off leader drops its leadership",
        () -> !TestCluster.view(leader).isLeader());
    assertFalse(TestCluster.view(leader).holdsLease());
    assertEquals(term, TestCluster.view(leader).term(), "pre-vote: a cut-off node keeps its term");
  }

  @Test
  void fiveNodesSurviveAMinorityPartitionHealAndFailOver() {
    cluster = new TestCluster(stateRoot);
    List<ActorSystem<Void>> nodes = cluster.form(5);
    ActorSystem<Void> leader = TestCluster.awaitLeader(nodes, -1, ELECT);
    long term = TestCluster.view(leader).term();

    // {leader, one follower} | {three followers}
    var minority = new ArrayList<ActorSystem<Void>>();
    minority.add(leader);
    var majority = TestCluster.without(nodes, leader);
    minority.add(majority.remove(0));
    for (ActorSystem<Void> a : minority) {
      for (ActorSystem<Void> b : majority) {
        Blackhole.cut(a, b);
      }
    }
    ActorSystem<Void> next = TestCluster.awaitLeader(majority, term, ELECT);
    long majorityTerm = TestCluster.view(next).term();
    Await.until(ELECT, "the minority holds no lease and knows no leader", () -> minority.stream()
        .allMatch(s -> !TestCluster.view(s).isLeader() && TestCluster.view(s).leader().isEmpty()));
    for (ActorSystem<Void> s : minority) {
      assertFalse(TestCluster.view(s).holdsLease());
    }

    for (ActorSystem<Void> a : minority) {
      for (ActorSystem<Void> b : majority) {
        Blackhole.heal(a, b);
      }
    }
    // Pre-vote: the healed minority rejoins the majority's leader without deposing it.
    ActorSystem<Void> afterHeal = TestCluster.awaitLeader(nodes, majorityTerm - 1, ELECT);
    assertEquals(majorityTerm, TestCluster.view(afterHeal).term());

    cluster.terminate(afterHeal);
    TestCluster.awaitLeader(cluster.live(), majorityTerm, ELECT);
  }

  @Test
  void configuredNodeNamesAreLearnedFromPeers() {
    cluster = new TestCluster(stateRoot);
    for (String name : List.of("alpha", "beta", "gamma")) {
      cluster.startNode(0, "regent.election.node-name = " + name);
    }
    cluster.awaitAllUp(ELECT);
    cluster.awaitVoters(ELECT);
    ActorSystem<Void> leader = TestCluster.awaitLeader(cluster.live(), -1, ELECT);
    assertTrue(List.of("alpha", "beta", "gamma")
        .contains(RegentElection.get(leader).selfId().name()));
    long term = TestCluster.view(leader).term();
    cluster.terminate(leader);
    TestCluster.awaitLeader(cluster.live(), term, ELECT);
  }
}
