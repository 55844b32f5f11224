package dev.regent.toolkit.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regent's Flight Recorder events are recorded when enabled. */
class JfrEventsTest {

  @TempDir
  Path dir;

  private TestCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void electionLeadershipLeaseAndSplitBrainEvents() throws Exception {
    List<RecordedEvent> events;
    String node;
    try (Recording r = new Recording()) {
      for (String name : List.of("dev.regent.Election", "dev.regent.LeadershipChange",
          "dev.regent.LeaseLost", "dev.regent.SplitBrainDecision")) {
        r.enable(name).withoutThreshold();
      }
      r.start();
      cluster = new TestCluster(dir);
      ActorSystem<Void> s = cluster.startNode();
      node = RegentMetrics.get(s).node();
      cluster.awaitLeader(Duration.ofSeconds(30));
      RegentElection.get(s).metrics().splitBrainDecision("keep-majority", "DownUnreachable",
          "test", 2);
      cluster.terminate(s); // the leader steps down
      Await.until(Duration.ofSeconds(5), "stepped down", () -> RegentMetrics.get(s)
          .stepDownsTotal() > 0);
      r.stop();
      Path file = dir.resolve("regent.jfr");
      r.dump(file);
      events = RecordingFile.readAllEvents(file);
    }
    Set<String> names = events.stream().map(e -> e.getEventType().getName())
        .collect(Collectors.toSet());
    assertTrue(names.containsAll(Set.of("dev.regent.Election", "dev.regent.LeadershipChange",
        "dev.regent.LeaseLost", "dev.regent.SplitBrainDecision")), names.toString());
    var won = events.stream().filter(e -> e.getEventType().getName().equals("dev.regent.Election")
        && "won".equals(e.getString("outcome"))).findFirst().orElseThrow();
    assertEquals(node, won.getString("node"));
    assertTrue(won.getLong("term") >= 1);
    var lost = events.stream().filter(e -> e.getEventType().getName().equals(
        "dev.regent.LeaseLost")).findFirst().orElseThrow();
    // Graceful leave: the leader retires (TRANSFER), or stops with the system (SHUTDOWN).
    assertTrue(Set.of("TRANSFER", "SHUTDOWN").contains(lost.getString("reason")),
        lost.getString("reason"));
    assertEquals(node, lost.getString("node"));
    var sbr = events.stream().filter(e -> e.getEventType().getName().equals(
        "dev.regent.SplitBrainDecision")).findFirst().orElseThrow();
    assertEquals(2, sbr.getInt("downed"));
  }
}
