package dev.regent.toolkit.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A settled 3-node cluster (election and split-brain resolver) idles: Regent logs nothing at INFO
 * and nobody starts an election. 20 s by default; {@code -Dregent.idle.seconds=60} for longer.
 */
class IdleClusterTest {

  private static final String[] LOGGERS = {"dev.regent", "dev.regent.toolkit.internal.shell",
      "dev.regent.toolkit.internal.sbr"};

  @TempDir
  Path dir;

  private TestCluster cluster;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Map<String, Level> levels = new HashMap<>();

  @BeforeEach
  void captureRegentLogs() {
    appender.start();
    for (String name : LOGGERS) {
      Logger l = (Logger) LoggerFactory.getLogger(name);
      levels.put(name, l.getLevel());
      l.setLevel(Level.INFO);
    }
    ((Logger) LoggerFactory.getLogger("dev.regent")).addAppender(appender);
  }

  @AfterEach
  void tearDown() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      ((Logger) LoggerFactory.getLogger("dev.regent")).detachAppender(appender);
      levels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
      appender.stop();
    }
  }

  private List<ILoggingEvent> infoAndAbove() {
    synchronized (appender) {
      return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
          .collect(Collectors.toCollection(ArrayList::new));
    }
  }

  @Test
  void idleClusterIsSilentAndElectsNobody() {
    long idleSeconds = Long.getLong("regent.idle.seconds", 20);
    cluster = new TestCluster(dir);
    String sbr = "pekko.cluster.downing-provider-class = "
        + "\"dev.regent.toolkit.sbr.RegentDowningProvider\"\n"
        + "regent.split-brain-resolver.stable-after = 3s";
    for (int i = 0; i < 3; i++) {
      cluster.startNode(0, sbr);
    }
    cluster.awaitAllUp(Duration.ofSeconds(30));
    cluster.awaitVoters(Duration.ofSeconds(30));
    List<ActorSystem<Void>> nodes = cluster.live();
    ActorSystem<Void> leader = cluster.awaitLeader(Duration.ofSeconds(30));
    long term = TestCluster.view(leader).term();

    // Start-up logged the election, the leader and the voter changes at INFO, with MDC.
    var startup = infoAndAbove();
    assertTrue(startup.stream().anyMatch(e -> e.getFormattedMessage().startsWith(
        "Starting an election for term")), "election logged: " + lines(startup));
    assertTrue(startup.stream().filter(e -> e.getLoggerName().contains("election"))
        .allMatch(e -> e.getMDCPropertyMap().containsKey("node")
            && e.getMDCPropertyMap().containsKey("term")), lines(startup).toString());
    // Every node's metrics saw exactly the elections of start-up.
    long elections = nodes.stream().mapToLong(s -> RegentMetrics.get(s).electionsStarted()).sum();
    assertTrue(elections >= 1, "elections " + elections);

    synchronized (appender) {
      appender.list.clear();
    }
    try {
      Await.holds(Duration.ofSeconds(idleSeconds), "idle: no Regent INFO, same term, no elections",
          () -> infoAndAbove().isEmpty()
              && nodes.stream().allMatch(s -> RegentMetrics.get(s).term() == term)
              && nodes.stream().mapToLong(s -> RegentMetrics.get(s).electionsStarted()).sum()
                  == elections);
    } catch (AssertionError e) {
      // Silence is promised for an idle cluster whose nodes are not starved for longer than a
      // lease: a node that gets no CPU for that long loses its lease, by design (issue 15). On a
      // machine loaded far beyond its cores (a CPU hog next to this build: load 21-34 on 2 cores)
      // the window proves nothing either way, so the test is aborted, saying why, not passed.
      double load = loadAverage();
      int cores = Runtime.getRuntime().availableProcessors();
      if (load > 4.0 * cores) {
        org.junit.jupiter.api.Assumptions.abort("idle window starved (load average " + load
            + " on " + cores + " cores), not judged: " + e.getMessage());
      }
      throw new AssertionError(e.getMessage() + "; logged " + lines(infoAndAbove()) + "; terms "
          + nodes.stream().map(s -> RegentMetrics.get(s).term()).toList() + " (was " + term
          + "); elections started " + elections + " -> "
          + nodes.stream().mapToLong(s -> RegentMetrics.get(s).electionsStarted()).sum(), e);
    }
    assertEquals(List.of(), lines(infoAndAbove()));
    for (ActorSystem<Void> s : nodes) {
      assertEquals(0L, MetricsClusterTest.longAttr(s, "PreVotesStarted")
          - RegentMetrics.get(s).preVotesStarted(), "JMX agrees");
      assertEquals(0L, MetricsClusterTest.longAttr(s, "StepDowns"));
      assertEquals(0L, MetricsClusterTest.longAttr(s, "LeaderlessForMillis"));
    }
    assertTrue(RegentMetrics.get(leader).leaseRenewals() > idleSeconds, "leases renewed");
  }

  /** The one-minute load average (Linux), or 0 where it cannot be read. */
  private static double loadAverage() {
    try {
      String text = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"));
      return Double.parseDouble(text.split(" ")[0]);
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  private static List<String> lines(List<ILoggingEvent> events) {
    return events.stream().map(e -> e.getLevel() + " " + e.getLoggerName() + " "
        + e.getMDCPropertyMap() + " " + e.getFormattedMessage()).toList();
  }
}
