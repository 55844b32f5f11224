package dev.regent.toolkit.internal.election;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.leadership.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Split votes on a slow network: three voters with the default timings and a one-way latency of
 * 50 ms (a pre-vote and a vote round take 200 ms, two thirds of the 300 ms spread of the election
 * timeout). The leader crashes; the two survivors need each other's vote. Over many seeds, counts
 * how many elections (terms) and how much model time the failover takes. Model time only: the
 * figures are deterministic per seed, so the bounds below are not timing assertions. They hold
 * because each election that brings no leader doubles the spread of the next election timeout
 * ({@code ElectionCore.randomElectionTimeout}); with a fixed spread the same seeds split the vote
 * up to 8 times in a row.
 */
class SplitVoteTest {

  private static final long MS = ScriptedNet.MS;
  private static final long L = 0x5eedL;
  private static final ElectionTimings T = ElectionTimings.DEFAULTS;

  @Test
  void survivorsOfASlowNetworkDoNotSplitTheVoteRoundAfterRound() {
    int seeds = 300;
    List<Long> rounds = new ArrayList<>();
    List<Long> millis = new ArrayList<>();
    for (int s = 0; s < seeds; s++) {
      long[] r = failover(50 * MS, 1 + 10L * s);
      rounds.add(r[0]);
      millis.add(r[1]);
    }
    Collections.sort(rounds);
    Collections.sort(millis);
    long p50 = millis.get(seeds / 2);
    long p99 = millis.get(seeds * 99 / 100);
    long maxRounds = rounds.get(seeds - 1);
    long multi = rounds.stream().filter(r -> r > 1).count();
    System.out.printf("MEASURED split votes at 50 ms one-way latency, %d seeds: failover model"
        + " time p50 %d ms, p99 %d ms, max %d ms; elections per failover max %d, more than one"
        + " in %d seeds%n", seeds, p50, p99, millis.get(seeds - 1), maxRounds, multi);
    // With a fixed spread (before the back-off): 8 elections at most, p99 5,020 ms, max 7,423
    // ms, 83 seeds with more than one election. With the back-off: 4, 3,397 ms, 4,247 ms, 83 (the
    // first collision is as likely as before; repeats are not).
    assertTrue(maxRounds <= 5, "at most 5 elections per failover, got " + maxRounds);
    assertTrue(p99 <= 4_000, "p99 of the failovers within 4 s of model time, got " + p99 + " ms");
  }

  /** Returns {elections, ms from the crash to a leader with a lease}. */
  private static long[] failover(long latency, long seed) {
    var net = new ScriptedNet(latency).seed(seed);
    var core = new ElectionCore(T, ElectionPolicy.DEFAULTS);
    var config = VoterConfig.of(new ConfigId(5, 2),
        List.of(new NodeId("a", 1), new NodeId("b", 1), new NodeId("c", 1)));
    for (String n : List.of("a", "b", "c")) {
      net.add(n, core, 1, new HardState(5, Optional.empty(), config, L,
          T.electionTimeoutMinNanos()));
      net.start(n);
    }
    net.membership("a", "b", "c");
    assertTrue(net.runUntil(() -> leaderWithLease(net).isPresent(), 20_000 * MS), "first leader");
    net.runUntil(net.now() + 1_000 * MS);
    String old = leaderWithLease(net).orElseThrow();
    long term = net.node(old).term();
    long crashAt = net.now();
    net.crash(old);
    assertTrue(net.runUntil(() -> leaderWithLease(net).filter(l -> !l.equals(old)).isPresent(),
        crashAt + 60_000 * MS), "a new leader (seed " + seed + ")");
    String next = leaderWithLease(net).orElseThrow();
    assertTrue(net.violations.isEmpty(), net.violations.toString());
    return new long[] {net.node(next).term() - term, (net.now() - crashAt) / MS};
  }

  private static Optional<String> leaderWithLease(ScriptedNet net) {
    return net.leader().filter(l -> net.node(l).state.holdsLease(net.now()));
  }
}
