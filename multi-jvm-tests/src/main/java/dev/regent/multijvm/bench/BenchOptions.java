package dev.regent.multijvm.bench;

import dev.regent.multijvm.harness.CpuHog;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How much the failover benchmark runs. {@link #full} reads {@code regent.bench.*} system
 * properties (bench.sh passes them); {@link #smoke} is the one-trial run of {@code mvn verify}.
 *
 * @param mode "full" or "smoke"
 * @param crash crash trials per cluster (Pekko default: {@code crashPekkoDefault})
 * @param pause pause trials per cluster (Pekko default: {@code pausePekkoDefault})
 * @param graceful SIGTERM trials per cluster (Pekko default: {@code gracefulPekkoDefault})
 * @param rounds throughput-and-latency runs per cluster
 * @param messages work messages per throughput run
 * @param asks timed asks per latency run
 * @param rate messages per second of the stream during crash trials
 * @param idle length of the idle CPU window
 * @param budget the run stops starting trials when the next one might end after this (from the
 *     start of the run)
 * @param outDir where results go
 * @param clusterPrefix prefix of the clusters' names (log and state directories)
 * @param startTogether spawn the clusters at once (smoke) rather than one after the other
 * @param profiles the clusters: full runs add Regent's at-least-once profile
 *     ({@code regent.bench.at-least-once=false} leaves it out)
 * @param load the loaded phase, run last
 */
public record BenchOptions(String mode, int crash, int crashPekkoDefault, int pause,
    int pausePekkoDefault, int graceful, int gracefulPekkoDefault, int rounds, int messages,
    int asks, int rate, Duration idle, Duration budget, Path outDir, String clusterPrefix,
    boolean startTogether, java.util.List<BenchProfiles.Profile> profiles, Load load) {

  /**
   * The loaded phase (issue #15), after the unloaded ones: a {@link
   * dev.regent.multijvm.harness.CpuHog} of {@code threads} busy threads in a separate JVM, a wait
   * of at most {@code ramp} until the 1-minute load average is twice the core count, one quiet
   * window of {@code window} in which every cluster is watched at once for singleton restarts, then
   * crash trials with the hog running.
   *
   * @param on whether the phase runs ({@code regent.bench.load=off}: {@code --no-load})
   * @param crash crash trials under load per cluster (Pekko default: {@code crashPekkoDefault};
   *     Regent at-least-once: none, its failover being Regent default's)
   * @param window the quiet window under load
   * @param ramp the longest wait for the load average to reach twice the core count (the phase
   *     goes on when it has not: the notes give the load average measured)
   * @param reserve the last part of the time budget kept for the loaded phase: the unloaded
   *     phases start no trial that could end later than {@code budget - reserve}
   * @param threads the hog's busy threads
   */
  public record Load(boolean on, int crash, int crashPekkoDefault, Duration window,
      Duration ramp, Duration reserve, int threads) {}

  /** Defaults of a full run: about 30 minutes on 2 cores (the loaded phase about 9 of them). */
  public static BenchOptions full(Path defaultOutRoot) {
    return new BenchOptions("full",
        Integer.getInteger("regent.bench.crash", 10),
        Integer.getInteger("regent.bench.crash.pekko-default", 4),
        Integer.getInteger("regent.bench.pause", 3),
        Integer.getInteger("regent.bench.pause.pekko-default", 2),
        Integer.getInteger("regent.bench.graceful", 5),
        Integer.getInteger("regent.bench.graceful.pekko-default", 5),
        Integer.getInteger("regent.bench.rounds", 3),
        Integer.getInteger("regent.bench.messages", 20_000),
        Integer.getInteger("regent.bench.asks", 2_000),
        Integer.getInteger("regent.bench.rate", 200),
        Duration.ofSeconds(Integer.getInteger("regent.bench.idle-seconds", 10)),
        Duration.ofMinutes(Integer.getInteger("regent.bench.budget-minutes", 32)),
        outDir(defaultOutRoot),
        "bench", false,
        Boolean.parseBoolean(System.getProperty("regent.bench.at-least-once", "true"))
            ? BenchProfiles.withAtLeastOnce() : BenchProfiles.all(),
        new Load(!System.getProperty("regent.bench.load", "on").equals("off"),
            Integer.getInteger("regent.bench.load.crash", 5),
            Integer.getInteger("regent.bench.load.crash.pekko-default", 2),
            Duration.ofSeconds(Integer.getInteger("regent.bench.load.window-seconds", 30)),
            Duration.ofMinutes(2),
            Duration.ofMinutes(Integer.getInteger("regent.bench.load.reserve-minutes", 9)),
            Integer.getInteger("regent.bench.load.threads", CpuHog.defaultThreads())));
  }

  /**
   * One trial per cluster for every row, except Pekko default's crash and pause (about 47 s each),
   * unloaded and under load: their rows stay empty with a note. Small throughput and idle windows;
   * the loaded phase waits at most 20 s for the load and watches a 5 s window.
   */
  public static BenchOptions smoke(Path defaultOutRoot) {
    return new BenchOptions("smoke", 1, 0, 1, 0, 1, 1, 1, 2_000, 200, 200,
        Duration.ofSeconds(3), Duration.ofMinutes(8),
        defaultOutRoot.resolve("smoke"), "bench-smoke", true, BenchProfiles.all(),
        new Load(true, 1, 0, Duration.ofSeconds(5), Duration.ofSeconds(20),
            Duration.ofMinutes(3), CpuHog.defaultThreads()));
  }

  private static Path outDir(Path root) {
    String dir = System.getProperty("regent.bench.out", "");
    if (!dir.isBlank()) {
      return Path.of(dir).toAbsolutePath();
    }
    return root.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
  }

  /** Crash trials for a profile. */
  public int crashFor(BenchProfiles.Profile p) {
    return p.isPekkoDefault() ? crashPekkoDefault : crash;
  }

  public int pauseFor(BenchProfiles.Profile p) {
    return p.isPekkoDefault() ? pausePekkoDefault : pause;
  }

  public int gracefulFor(BenchProfiles.Profile p) {
    return p.isPekkoDefault() ? gracefulPekkoDefault : graceful;
  }

  /**
   * Crash trials under load for a profile: none without the loaded phase, none for Regent
   * at-least-once (the same election and singleton as Regent default; only the proxy differs).
   */
  public int loadCrashFor(BenchProfiles.Profile p) {
    if (!load.on() || p.profile().equals(BenchProfiles.AT_LEAST_ONCE)) {
      return 0;
    }
    return p.isPekkoDefault() ? load.crashPekkoDefault() : load.crash();
  }

  /** For the report's environment. */
  public Map<String, String> describe() {
    var m = new LinkedHashMap<String, String>();
    m.put("mode", mode);
    m.put("trials", "crash " + crash + " per cluster (Pekko default " + crashPekkoDefault
        + "), pause " + pause + " (Pekko default " + pausePekkoDefault + "), SIGTERM " + graceful
        + " (Pekko default " + gracefulPekkoDefault + "), throughput/latency runs " + rounds);
    m.put("load", rate + " msg/s during crash trials; throughput " + messages
        + " messages in batches of " + BenchNode.BATCH + "; " + asks + " sequential asks");
    m.put("idle window", idle.toSeconds() + " s");
    m.put("cluster start", startTogether ? "all four clusters spawned at once"
        : "one cluster after the other");
    m.put("time budget", budget.toMinutes() + " min (trials that would end later are skipped"
        + (load.on() ? "; the unloaded phases keep the last " + load.reserve().toMinutes()
            + " min for the loaded phase" : "") + ")");
    m.put("loaded phase", load.on()
        ? "a CPU hog of " + load.threads() + " busy threads in a separate JVM (target: 1-minute load"
            + " average ≥ 2 × " + Runtime.getRuntime().availableProcessors() + " cores, waited for"
            + " at most " + load.ramp().toSeconds() + " s); a quiet window of "
            + load.window().toSeconds() + " s, all clusters watched at once; crash "
            + load.crash() + " per cluster (Pekko default " + load.crashPekkoDefault()
            + ", Regent at-least-once none)"
        : "not run (--no-load)");
    return m;
  }
}
