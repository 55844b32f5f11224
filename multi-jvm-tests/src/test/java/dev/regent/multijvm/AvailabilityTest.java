package dev.regent.multijvm;

import dev.regent.multijvm.harness.History;
import dev.regent.multijvm.harness.HistoryEvent;
import dev.regent.multijvm.harness.HistoryEvent.Fault;
import dev.regent.multijvm.harness.HistoryEvent.FaultKind;
import dev.regent.multijvm.harness.HistoryEvent.NodeExited;
import dev.regent.multijvm.harness.HistoryEvent.SingletonResumed;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStopped;
import dev.regent.multijvm.harness.HistoryEvent.SingletonSuspended;
import dev.regent.multijvm.harness.MultiJvmCluster;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Availability under overlapping faults, with the resolver's shipped defaults: five node JVMs,
 * a seeded random schedule of crashes (SIGKILL), pauses (SIGSTOP, SIGCONT after 1-3 steps) and
 * restarts (a crashed node stays down 1-6 steps, often longer than the resolver's unstable
 * trigger of 12.25 s), a step every 0.5-3 s, never more than two nodes impaired (crashed, paused, or
 * restarted and not yet an Up member) at once, so three healthy nodes always exist. No
 * partitions: they are {@code ChaosTest}'s business; this test is about a healthy majority
 * surviving faults of a minority.
 *
 * <p>Prints {@code MEASURED availability: N %}: the fraction of the fault window during which
 * some singleton incarnation was hosted (from its {@code SingletonStarted} or resume to its
 * {@code SingletonStopped}, its suspension, its process's pause or its process's end; overlapping
 * incarnations count once). Then where the rest went: the failovers after a crash or pause of the
 * host itself (half of all crashes and pauses target it on purpose; each costs about one failover,
 * which no resolver setting removes) and everything else, with {@code MEASURED availability
 * outside the host's own failovers: N %}. The figures are printed, never asserted. Asserted: the history checker (safety), and a liveness
 * floor: the cluster never fully exits (at every step some node is an Up member). A node the
 * resolver downs exits with status 255 and is restarted by the schedule like a crashed one;
 * {@code MEASURED resolver exits} counts them.
 *
 * <ul>
 *   <li>{@code -Dregent.availability.seconds=N}: fault window (default 60);
 *   <li>{@code -Dregent.availability.seed=S}: the seed (default random, printed first);
 *   <li>{@code -Dregent.availability.config="k = v; k2 = v2"}: extra HOCON for every node
 *       ({@code ;} separates lines), e.g. Pekko's down-all rule for comparison:
 *       {@code regent.split-brain-resolver.unstable-keeps-majority = off}.
 * </ul>
 *
 * <p>If the cluster fully exits (the floor fails) the run goes on with a full restart, as an
 * orchestrator would, so that the availability figure is still printed; the test fails at the
 * end.
 */
class AvailabilityTest {

  private static final int N = 5;
  private static final int MAX_IMPAIRED = 2;
  private static final int DOWNED_EXIT = 255;

  private final long seed;
  private final int seconds;
  private final String extraConfig;
  private final Random rnd;
  private final Set<Long> killedPids = new HashSet<>();
  private final Map<Integer, Integer> pausedSteps = new HashMap<>();
  private final Map<Integer, Integer> downSteps = new HashMap<>();
  private long t0;
  private int fullExits;

  AvailabilityTest() {
    String s = System.getProperty("regent.availability.seed", "");
    seed = s.isBlank() ? new SecureRandom().nextLong() : Long.parseLong(s.trim());
    seconds = Integer.getInteger("regent.availability.seconds", 60);
    extraConfig = System.getProperty("regent.availability.config", "").replace(';', '\n');
    rnd = new Random(seed);
  }

  @Test
  void aHealthyMajorityKeepsTheSingleton() {
    System.out.println("AVAILABILITY seed=" + seed + " seconds=" + seconds + " config=["
        + extraConfig.replace('\n', ';') + "] (replay: -Dregent.availability.seed=" + seed + ")");
    String config = "pekko.cluster.downing-provider-class ="
        + " \"dev.regent.toolkit.sbr.RegentDowningProvider\"\n" + extraConfig + "\n";
    try (var c = MultiJvmCluster.builder("availability").nodes(N)
        .setup(FencedCounterSetup.class).config(config).start()) {
      try {
        run(c);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("[availability seed=" + seed + "] " + e, e);
      }
    }
  }

  private void run(MultiJvmCluster c) {
    for (int i = 0; i < N; i++) {
      c.allowExit(i);
    }
    c.awaitAllUp(Duration.ofSeconds(90));
    Singletons.awaitVoters(c, N);
    Singletons.awaitRunning(c, "a singleton runs", s -> true);
    t0 = System.nanoTime();
    long end = t0 + Duration.ofSeconds(seconds).toNanos();
    int steps = 0;
    while (System.nanoTime() - end < 0) {
      step(c);
      steps++;
      c.assertDuring("dwell after step " + steps, Duration.ofMillis(500 + rnd.nextInt(2500)),
          () -> true);
    }
    long tEnd = System.nanoTime();
    History h = c.history();
    double pct = 100.0 * hostedNanos(h, t0, tEnd) / (tEnd - t0);
    var ownExits = h.of(NodeExited.class).stream()
        .filter(x -> !killedPids.contains(x.pid()) && x.nanos() >= t0).toList();
    System.out.printf("MEASURED availability: %.1f %% (seed=%d, %d s, %d steps, longest gap %.1f"
        + " s, resolver exits %d, full cluster exits %d, config [%s])%n", pct, seed, seconds,
        steps, longestGapNanos(h, t0, tEnd) / 1e9, ownExits.size(), fullExits,
        extraConfig.replace('\n', ';'));
    printGapBreakdown(h, t0, tEnd);
    var bad = ownExits.stream().filter(x -> x.exitCode() != DOWNED_EXIT).toList();
    if (!bad.isEmpty()) {
      throw new AssertionError("node processes exited with an unexpected status: " + bad);
    }
    FailureSuiteTest.check(h);
    if (fullExits > 0) {
      throw new AssertionError("liveness floor: the whole cluster exited " + fullExits
          + " time(s) although at most " + MAX_IMPAIRED + " of " + N + " nodes were impaired");
    }
  }

  private void step(MultiJvmCluster c) {
    pausedSteps.replaceAll((k, v) -> v + 1);
    pausedSteps.keySet().removeIf(i -> !c.isPaused(i));
    downSteps.replaceAll((k, v) -> v + 1);
    for (int i = 0; i < N; i++) {
      if (!c.isAlive(i)) {
        downSteps.putIfAbsent(i, 0);
      }
    }
    downSteps.keySet().removeIf(c::isAlive);
    List<Integer> up = IntStream.range(0, N).filter(i -> c.isAlive(i) && !c.isPaused(i))
        .boxed().toList();
    List<Integer> members = up.stream().filter(i -> isUpMember(c, i)).toList();
    if (members.isEmpty() && IntStream.range(0, N).noneMatch(c::isPaused)) {
      fullExits++;
      log("LIVENESS FLOOR: no Up member left; full restart, node 0 first");
      for (int i = 0; i < N; i++) {
        if (c.isAlive(i)) {
          killedPids.add(c.pid(i));
          c.crash(i);
        }
      }
      for (int i = 0; i < N; i++) {
        c.restart(i);
        c.allowExit(i);
      }
      pausedSteps.clear();
      downSteps.clear();
      // Wait (bounded) for the new cluster: the next step would otherwise count it gone again.
      c.awaitCondition("an Up member after the full restart", Duration.ofSeconds(60),
          () -> IntStream.range(0, N).anyMatch(i -> isUpMember(c, i)));
      return;
    }
    int impaired = N - members.size();
    List<Integer> paused = IntStream.range(0, N).filter(c::isPaused).boxed().toList();
    List<Integer> down = IntStream.range(0, N).filter(i -> !c.isAlive(i)).boxed().toList();
    // A node may exit on its own (downed by the resolver) between the counts above and these
    // lists: it counts as down (or paused) for 0 steps.
    String action = null;
    Integer target = null;
    for (int p : paused) {
      if (pausedSteps.getOrDefault(p, 0) >= 3) {
        action = "resume";
        target = p;
      }
    }
    for (int d : down) {
      if (action == null && downSteps.getOrDefault(d, 0) >= 6) {
        action = "restart";
        target = d;
      }
    }
    if (action == null) {
      List<String> choices = new ArrayList<>();
      if (impaired < MAX_IMPAIRED && members.size() > 1) {
        choices.addAll(List.of("crash", "crash", "pause", "pause"));
      }
      if (!paused.isEmpty()) {
        choices.addAll(List.of("resume", "resume"));
      }
      if (!down.isEmpty()) {
        choices.add("restart"); // crashed nodes often stay down 10 s and more (up to 6 steps)
      }
      if (choices.isEmpty()) {
        return;
      }
      action = choices.get(rnd.nextInt(choices.size()));
    }
    try {
      switch (action) {
        case "crash", "pause" -> {
          int i = pick(c, members);
          log(action + " " + i);
          if (action.equals("crash")) {
            killedPids.add(c.pid(i));
            c.crash(i);
          } else {
            c.pause(i);
            pausedSteps.put(i, 0);
          }
        }
        case "resume" -> {
          int i = target != null ? target : paused.get(rnd.nextInt(paused.size()));
          log("resume " + i);
          c.resume(i);
          pausedSteps.remove(i);
        }
        case "restart" -> {
          int i = target != null ? target : down.get(rnd.nextInt(down.size()));
          log("restart " + i);
          c.restart(i);
          c.allowExit(i);
          downSteps.remove(i);
        }
        default -> throw new IllegalStateException(action);
      }
    } catch (RuntimeException e) {
      log("step " + action + " failed (a node exiting on its own meanwhile?): " + e);
    }
  }

  /** Half of the time the host of the singleton, if it is a candidate. */
  private int pick(MultiJvmCluster c, List<Integer> candidates) {
    int any = candidates.get(rnd.nextInt(candidates.size()));
    if (rnd.nextBoolean()) {
      return Singletons.running(c).map(SingletonStarted::node).filter(candidates::contains)
          .orElse(any);
    }
    return any;
  }

  private static boolean isUpMember(MultiJvmCluster c, int i) {
    try {
      return c.isAlive(i) && !c.isPaused(i) && "Up".equals(c.status(i).selfStatus());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Hosted intervals, clipped to [from, to] and merged. An incarnation counts from its start to
   * its stop, its suspension, its process's pause (SIGSTOP: a stopped process serves nothing) or
   * its process's end; a resumed incarnation counts again from its resume.
   */
  static List<long[]> hosted(History h, long from, long to) {
    Map<List<Long>, long[]> open = new HashMap<>(); // key -> {start, node}
    List<long[]> out = new ArrayList<>();
    for (HistoryEvent e : h.events()) {
      if (e instanceof SingletonStarted s) {
        open.putIfAbsent(List.of(s.pid(), s.lineage(), s.token()), new long[] {s.nanos(), s.node()});
      } else if (e instanceof SingletonResumed s) {
        open.putIfAbsent(List.of(s.pid(), s.lineage(), s.token()), new long[] {s.nanos(), s.node()});
      } else if (e instanceof SingletonStopped s) {
        close(open, out, List.of(s.pid(), s.lineage(), s.token()), s.nanos());
      } else if (e instanceof SingletonSuspended s) {
        close(open, out, List.of(s.pid(), s.lineage(), s.token()), s.nanos());
      } else if (e instanceof NodeExited x) {
        open.entrySet().removeIf(en -> {
          if (en.getKey().get(0) == x.pid()) {
            out.add(new long[] {en.getValue()[0], x.nanos()});
            return true;
          }
          return false;
        });
      } else if (e instanceof Fault f && f.kind() == FaultKind.PAUSE) {
        open.entrySet().removeIf(en -> {
          if (f.nodes().contains((int) en.getValue()[1])) {
            out.add(new long[] {en.getValue()[0], f.nanos()});
            return true;
          }
          return false;
        });
      }
    }
    open.values().forEach(st -> out.add(new long[] {st[0], to}));
    out.sort((a, b) -> Long.compare(a[0], b[0]));
    List<long[]> merged = new ArrayList<>();
    for (long[] iv : out) {
      long a = Math.max(iv[0], from);
      long b = Math.min(iv[1], to);
      if (b <= a) {
        continue;
      }
      if (!merged.isEmpty() && a <= merged.get(merged.size() - 1)[1]) {
        merged.get(merged.size() - 1)[1] = Math.max(merged.get(merged.size() - 1)[1], b);
      } else {
        merged.add(new long[] {a, b});
      }
    }
    return merged;
  }

  private static void close(Map<List<Long>, long[]> open, List<long[]> out, List<Long> key,
      long at) {
    long[] st = open.remove(key);
    if (st != null) {
      out.add(new long[] {st[0], at});
    }
  }

  static long hostedNanos(History h, long from, long to) {
    return hosted(h, from, to).stream().mapToLong(iv -> iv[1] - iv[0]).sum();
  }

  /** The gaps between hosted intervals in [from, to], as {start, end}. */
  static List<long[]> gaps(History h, long from, long to) {
    List<long[]> gaps = new ArrayList<>();
    long prev = from;
    for (long[] iv : hosted(h, from, to)) {
      if (iv[0] > prev) {
        gaps.add(new long[] {prev, iv[0]});
      }
      prev = iv[1];
    }
    if (to > prev) {
      gaps.add(new long[] {prev, to});
    }
    return gaps;
  }

  static long longestGapNanos(History h, long from, long to) {
    return gaps(h, from, to).stream().mapToLong(g -> g[1] - g[0]).max().orElse(0);
  }

  /**
   * Splits the time without a singleton into failovers of the host and everything else, and prints
   * both. A failover of the host is the part of a gap from a crash or pause of the node hosting the
   * singleton (running or suspended) at that moment, when the gap began at most 250 ms before the
   * fault or after it: the time the election needs to notice and replace a lost host, which no
   * resolver setting removes. Everything else (faults of other nodes, restarts, suspensions of a
   * host whose renewals came late, resolver decisions) is what a flapping minority costs.
   */
  private void printGapBreakdown(History h, long from, long to) {
    // One pass: the incarnations started and not yet stopped (running or suspended), and each
    // crash or pause that hit a node hosting one of them.
    List<Long> hostFaults = new ArrayList<>();
    Map<List<Long>, Integer> open = new HashMap<>();
    for (HistoryEvent e : h.events()) {
      if (e instanceof SingletonStarted st) {
        open.put(List.of(st.pid(), st.lineage(), st.token()), st.node());
      } else if (e instanceof SingletonStopped st) {
        open.remove(List.of(st.pid(), st.lineage(), st.token()));
      } else if (e instanceof NodeExited x) {
        open.keySet().removeIf(k -> k.get(0) == x.pid());
      } else if (e instanceof Fault f && (f.kind() == FaultKind.CRASH || f.kind() == FaultKind.PAUSE)
          && f.nanos() >= from && open.values().stream().anyMatch(f.nodes()::contains)) {
        hostFaults.add(f.nanos());
      }
    }
    List<Long> failovers = new ArrayList<>();
    long other = 0;
    for (long[] g : gaps(h, from, to)) {
      var fault = hostFaults.stream()
          .filter(f -> f >= g[0] - 250_000_000L && f < g[1]).findFirst();
      long failoverFrom = fault.map(f -> Math.max(f, g[0])).orElse(g[1]);
      if (fault.isPresent()) {
        failovers.add(g[1] - failoverFrom);
      }
      long rest = failoverFrom - g[0];
      if (rest > 0) {
        other += rest;
        if (rest >= 100_000_000L) {
          log(String.format("%.3f s without a singleton from %+.3f s, not after a fault of the"
              + " host", rest / 1e9, (g[0] - t0) / 1e9));
        }
      }
    }
    failovers.sort(Long::compare);
    long failoverTotal = failovers.stream().mapToLong(Long::longValue).sum();
    double window = to - from;
    System.out.printf("MEASURED availability lost to failovers of the host: %.1f s in %d"
        + " failovers after %d crashes or pauses of the host (median %.0f ms, max %.0f ms)%n",
        failoverTotal / 1e9, failovers.size(), hostFaults.size(),
        failovers.isEmpty() ? 0.0 : failovers.get((failovers.size() - 1) / 2) / 1e6,
        failovers.isEmpty() ? 0.0 : failovers.get(failovers.size() - 1) / 1e6);
    System.out.printf("MEASURED availability lost otherwise: %.1f s; availability outside the"
        + " host's own failovers: %.1f %%%n", other / 1e9, 100.0 * (window - other) / window);
  }

  private void log(String what) {
    System.out.printf("AVAILABILITY %+8.3f s %s%n", (System.nanoTime() - t0) / 1e9, what);
  }
}
