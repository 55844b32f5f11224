package dev.regent.toolkit.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The explicit bootstrap as the election actor carries it out, on real in-JVM clusters. */
class BootstrapActorTest {

  private static final Duration ELECT = Duration.ofSeconds(30);

  @TempDir
  Path stateRoot;

  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static long lineage(ActorSystem<?> s) {
    return RegentElection.get(s).current().lineage();
  }

  /**
   * {@code bootstrap.expect = 3}: the first node, alone and then with one other, founds nothing
   * (membership alone never founds); once all three are Up, exactly one lineage is founded and a
   * leader elected, and all three become voters of it.
   */
  @Test
  void expectThreeFoundsOnceAllThreeAreUp() {
    cluster = new TestCluster(stateRoot);
    String extra = "regent.election.bootstrap.expect = 3";
    ActorSystem<Void> first = cluster.startNode(0, extra);
    ActorSystem<Void> second = cluster.startNode(0, extra);
    cluster.awaitAllUp(ELECT);
    // Two election timeouts and more: the probes would have founded by now.
    Await.holds(Duration.ofMillis(2500), "no lineage with two of three expected members",
        () -> lineage(first) == Lineage.NONE && lineage(second) == Lineage.NONE
            && !TestCluster.view(first).isLeader() && !TestCluster.view(second).isLeader());

    cluster.startNode(0, extra);
    cluster.awaitAllUp(ELECT);
    List<ActorSystem<Void>> nodes = cluster.live();
    ActorSystem<Void> leader = TestCluster.awaitLeader(nodes, -1, ELECT);
    cluster.awaitVoters(ELECT);
    long founded = lineage(leader);
    assertNotEquals(Lineage.NONE, founded);
    assertNotEquals(Lineage.LEGACY, founded);
    for (ActorSystem<Void> n : nodes) {
      assertEquals(founded, lineage(n), "one lineage for all");
    }
  }

  /**
   * A node without state that joins a running cluster is added to its lineage by the leader: it
   * never founds one of its own, whatever its name, and terms go on from the cluster's.
   */
  @Test
  void aNodeWithoutStateJoiningARunningClusterIsAddedNotFounding() {
    cluster = new TestCluster(stateRoot);
    List<ActorSystem<Void>> nodes = cluster.form(3);
    ActorSystem<Void> leader = TestCluster.awaitLeader(nodes, -1, ELECT);
    long lineage = lineage(leader);
    long term = TestCluster.view(leader).term();

    ActorSystem<Void> joiner = cluster.startNode();
    cluster.awaitAllUp(ELECT);
    cluster.awaitVoters(ELECT);
    assertEquals(lineage, lineage(joiner), "added to the running cluster's lineage");
    assertTrue(TestCluster.view(joiner).term() >= term);
    assertTrue(ElectionRuntime.get(joiner).voterConfig().voters()
        .contains(RegentElection.get(joiner).selfId()));
    assertEquals(0, ElectionRuntime.get(joiner).rejectedCount(
        dev.regent.toolkit.internal.election.ElectionEffect.RejectReason.FOREIGN_LINEAGE));
  }
}
