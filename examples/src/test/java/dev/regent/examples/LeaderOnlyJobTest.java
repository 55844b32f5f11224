package dev.regent.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.singleton.ClusterSingleton;
import dev.regent.singleton.SingletonActor;
import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three real ActorSystems each declare the same "cron": it runs on one node at a time. */
class LeaderOnlyJobTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path stateRoot;

  private TestCluster cluster;

  record Run(String node, long token) {}

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void exactlyOneCronRunsAndItMovesWithALargerTokenWhenItsNodeGoes() {
    cluster = new TestCluster(stateRoot);
    List<ActorSystem<Void>> nodes = cluster.form(3);
    var runs = new CopyOnWriteArrayList<Run>();
    for (ActorSystem<Void> s : nodes) {
      String name = RegentElection.get(s).selfId().name();
      ClusterSingleton.get(s).init(SingletonActor.ofFenced(
              ctx -> LeaderOnlyJob.create(ctx, Duration.ofMillis(100),
                  token -> runs.add(new Run(name, token))),
              "cron")
          .withStopMessage(new LeaderOnlyJob.Stop()));
    }
    Await.until(WAIT, "the cron ran five times", () -> runs.size() >= 5);
    Run first = runs.get(0);
    assertTrue(runs.stream().allMatch(r -> r.equals(first)),
        "while the cluster is stable every run is the same node's: " + runs);

    ActorSystem<Void> host = nodes.stream()
        .filter(s -> RegentElection.get(s).selfId().name().equals(first.node()))
        .findFirst().orElseThrow();
    cluster.terminate(host);
    Await.until(WAIT, "the cron running on another node",
        () -> runs.stream().anyMatch(r -> !r.node().equals(first.node())));

    long highest = 0;
    for (Run r : runs) {
      assertTrue(r.token() >= highest, "tokens never go backwards: " + runs);
      highest = r.token();
    }
    Run last = runs.get(runs.size() - 1);
    assertTrue(last.token() > first.token(), "the new host has a larger token: " + last);
  }
}
