package dev.regent.toolkit.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.regent.toolkit.internal.status.StatusEndpointTest;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.Blackhole;
import dev.regent.toolkit.testkit.TestCluster;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metrics over JMX and the listener, on a real 3-node cluster with a forced failover. */
class MetricsClusterTest {

  @TempDir
  Path dir;

  private TestCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

  static Object attr(ActorSystem<?> s, String name) {
    try {
      return JMX.getAttribute(RegentMetrics.get(s).objectName(), name);
    } catch (Exception e) {
      throw new AssertionError("cannot read " + name + " of " + s, e);
    }
  }

  static long longAttr(ActorSystem<?> s, String name) {
    return ((Number) attr(s, name)).longValue();
  }

  @Test
  void failoverIsVisibleOverJmxAndToListeners() throws Exception {
    cluster = new TestCluster(dir);
    for (int i = 0; i < 3; i++) {
      cluster.startNode(0, "regent.status.enabled = on");
    }
    cluster.awaitAllUp(Duration.ofSeconds(30));
    cluster.awaitVoters(Duration.ofSeconds(30));
    List<ActorSystem<Void>> nodes = cluster.live();
    ActorSystem<Void> leader = cluster.awaitLeader(Duration.ofSeconds(30));
    long term = TestCluster.view(leader).term();
    List<ActorSystem<Void>> others = TestCluster.without(nodes, leader);

    for (ActorSystem<Void> s : nodes) {
      ObjectName name = new ObjectName("dev.regent:type=Election,node="
          + ObjectName.quote(RegentMetrics.get(s).node()));
      assertTrue(JMX.isRegistered(name), name + " registered");
      Await.until(Duration.ofSeconds(5), "term and leader over JMX on " + name,
          () -> longAttr(s, "Term") == term && RegentMetrics.get(leader).node()
              .equals(attr(s, "Leader")));
    }
    assertTrue(longAttr(leader, "ElectionsWon") >= 1);
    assertTrue(longAttr(leader, "ElectionsStarted") >= 1);
    assertEquals(true, attr(leader, "Leading"));
    assertEquals(false, attr(others.get(0), "Leading"));
    Await.until(Duration.ofSeconds(5), "lease renewals counted",
        () -> longAttr(leader, "LeaseRenewals") > 0 && longAttr(leader, "LeaderTenureMillis") > 0);

    // A listener on a follower sees the failover.
    ActorSystem<Void> watcher = others.get(0);
    var failovers = new CopyOnWriteArrayList<Long>();
    var started = new AtomicLong();
    RegentMetrics.get(watcher).addListener(new RegentMetricsListener() {
      @Override
      public void onFailover(long nanos, boolean toSingleton) {
        if (!toSingleton) {
          failovers.add(nanos);
        }
      }

      @Override
      public void onElectionStarted(long t) {
        started.incrementAndGet();
      }
    });
    long startedBefore = others.stream().mapToLong(s -> longAttr(s, "ElectionsStarted")).sum();

    // Cut the leader off from both followers: it loses its lease, the followers elect another.
    for (ActorSystem<Void> o : others) {
      Blackhole.cut(leader, o);
    }
    ActorSystem<Void> next = TestCluster.awaitLeader(others, term, Duration.ofSeconds(30));
    Await.until(Duration.ofSeconds(10), "old leader stepped down (LEASE_LOST) over JMX",
        () -> longAttr(leader, "StepDownsLeaseLost") >= 1 && longAttr(leader, "StepDowns") >= 1
            && longAttr(leader, "LeaderTenureMillis") == 0
            && longAttr(leader, "LastLeaderTenureMillis") > 0);
    assertEquals(RegentMetrics.get(leader).stepDowns(LeadershipEvent.Reason.LEASE_LOST),
        longAttr(leader, "StepDownsLeaseLost"));

    long newTerm = TestCluster.view(next).term();
    for (ActorSystem<Void> s : others) {
      Await.until(Duration.ofSeconds(10), "failover recorded on " + RegentMetrics.get(s).node(),
          () -> longAttr(s, "Failovers") >= 1 && longAttr(s, "Term") == newTerm);
      long failoverMs = longAttr(s, "LastFailoverMillis");
      // Leader cut off → a follower's election timeout (700-1000 ms) → a new leader.
      assertTrue(failoverMs >= 300 && failoverMs < 10_000, "failover " + failoverMs + " ms");
      assertTrue(longAttr(s, "MaxFailoverMillis") >= failoverMs);
      assertTrue(longAttr(s, "LastLeaderlessMillis") > 0);
      assertTrue(longAttr(s, "TotalLeaderlessMillis") >= longAttr(s, "LastLeaderlessMillis"));
      assertEquals(0L, longAttr(s, "LeaderlessForMillis"));
      assertEquals(RegentMetrics.get(next).node(), attr(s, "Leader"));
    }
    long startedAfter = others.stream().mapToLong(s -> longAttr(s, "ElectionsStarted")).sum();
    assertTrue(startedAfter > startedBefore, "elections started " + startedBefore + " -> "
        + startedAfter);
    assertTrue(longAttr(next, "ElectionsWon") >= 1);
    assertFalse(failovers.isEmpty(), "listener saw the failover");
    assertTrue(failovers.get(0) > 0);
    assertEquals(Optional.of(RegentMetrics.get(watcher).lastFailoverNanos()),
        Optional.of(failovers.get(failovers.size() - 1)));

    // The same over real HTTP, from the new leader's status endpoint.
    JsonNode status = StatusEndpointTest.getStatus(next);
    assertEquals(newTerm, status.get("term").asLong());
    assertEquals(RegentMetrics.get(next).node(), status.get("leader").get("name").asText());
    assertTrue(status.get("isLeader").asBoolean());
    assertTrue(status.get("leaseRemainingMillis").asLong() >= 0);
    assertEquals(3, status.get("members").size());
    assertTrue(status.get("metrics").get("electionsWon").asLong() >= 1);
    // The follower that is still connected to the new leader reports the failover it saw.
    JsonNode follower = StatusEndpointTest.getStatus(watcher);
    assertTrue(follower.get("metrics").get("failovers").asLong() >= 1);
    assertEquals(RegentMetrics.get(watcher).lastFailoverNanos() / 1_000_000,
        follower.get("metrics").get("lastFailoverMillis").asLong());
  }

  @Test
  void mbeanIsUnregisteredWhenTheSystemTerminates() throws Exception {
    cluster = new TestCluster(dir);
    ActorSystem<Void> s = cluster.startNode();
    ObjectName name = RegentMetrics.get(s).objectName();
    assertTrue(JMX.isRegistered(name));
    cluster.terminate(s);
    Await.until(Duration.ofSeconds(5), "MBean unregistered", () -> !JMX.isRegistered(name));
  }
}
