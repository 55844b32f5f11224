package dev.regent.multijvm;

import dev.regent.multijvm.harness.LoadAverage;
import dev.regent.multijvm.harness.MultiJvmCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Restart after SIGKILL at the same port, to Up: issue 15's "fast rejoin". Opt-in, as it only
 * measures (no timed assertion):
 *
 * <pre>
 * mvn -o -B -pl multi-jvm-tests -am verify -Dtest=RejoinAfterCrashTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dregent.multijvm.rejoin=true \
 *     [-Dregent.multijvm.rejoin.trials=3]
 * </pre>
 *
 * <p>Three node JVMs with the failover benchmark's default profile (Pekko's membership timings:
 * 1 s gossip and leader actions, {@code retry-unsuccessful-join-after = 10s}; Regent's resolver,
 * keep-majority). For {@code fast-rejoin = off} (Pekko's behaviour: the new incarnation's first
 * join only makes the cluster down and remove the old one, the join is retried 10 s later) and
 * then {@code on}, each in its own cluster: node 2 is SIGKILLed and spawned again at once at the
 * same port, and its spawn-to-Up time is printed as {@code MEASURED restart after SIGKILL at the
 * same port -> Up: N ms}, with whether the node's log shows the hinted join.
 */
@EnabledIfSystemProperty(named = "regent.multijvm.rejoin", matches = "true")
class RejoinAfterCrashTest {

  /** The benchmark's "profile common" timings plus its Regent default profile. */
  static final String PROFILE = """
      pekko.cluster.gossip-interval = 1s
      pekko.cluster.leader-actions-interval = 1s
      pekko.cluster.seed-node-timeout = 5s
      pekko.cluster.retry-unsuccessful-join-after = 10s
      pekko.cluster.failure-detector.heartbeat-interval = 1s
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s
      pekko.cluster.downing-provider-class = "dev.regent.toolkit.sbr.RegentDowningProvider"
      regent.split-brain-resolver.active-strategy = keep-majority
      """;

  static final String HINTED_JOIN = "instead of waiting for the join retry";

  @Test
  void restartAfterCrashAtTheSamePortToUp() {
    int trials = Integer.getInteger("regent.multijvm.rejoin.trials", 3);
    System.out.println("MEASURED rejoin load average at start: " + LoadAverage.now());
    var results = new ArrayList<String>();
    for (String mode : List.of("off", "on")) {
      String config = PROFILE + "regent.split-brain-resolver.fast-rejoin = " + mode + "\n";
      try (var cluster = MultiJvmCluster.builder("rejoin-" + mode).nodes(3).config(config)
          .start()) {
        cluster.awaitAllUp(Duration.ofSeconds(120));
        for (int t = 1; t <= trials; t++) {
          int before = cluster.spawnToUpMillis(2).size();
          int hintsBefore = count(cluster, 2, HINTED_JOIN);
          cluster.crash(2);
          cluster.restart(2);
          cluster.awaitCondition("restarted node 2 Up in every view", Duration.ofSeconds(90),
              () -> {
                for (int i = 0; i < 3; i++) {
                  var s = cluster.status(i);
                  if (s.upCount() != 3 || !s.unreachable().isEmpty()) {
                    return false;
                  }
                }
                return cluster.status(2).pid() == cluster.pid(2);
              });
          cluster.awaitCondition("node 2 reported spawn-to-Up after restart",
              Duration.ofSeconds(10), () -> cluster.spawnToUpMillis(2).size() == before + 1);
          long ms = cluster.spawnToUpMillis(2).get(before);
          String line = "MEASURED restart after SIGKILL at the same port -> Up: " + ms
              + " ms (fast-rejoin = " + mode + ", trial " + t + ", hinted join in the new"
              + " incarnation's log: " + (count(cluster, 2, HINTED_JOIN) > hintsBefore) + ")";
          System.out.println(line);
          results.add(line);
        }
      }
    }
    System.out.println("MEASURED rejoin load average at end: " + LoadAverage.now());
    results.forEach(System.out::println);
  }

  /** Occurrences of {@code text} in node {@code i}'s log (appended to by each of its processes). */
  private static int count(MultiJvmCluster cluster, int i, String text) {
    try {
      return Files.readString(cluster.logFile(i)).split(java.util.regex.Pattern.quote(text), -1)
          .length - 1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
