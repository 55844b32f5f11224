package dev.regent.multijvm.bench;

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
 */
public record BenchOptions(String mode, int crash, int crashPekkoDefault, int pause,
    int pausePekkoDefault, int graceful, int gracefulPekkoDefault, int rounds, int messages,
    int asks, int rate, Duration idle, Duration budget, Path outDir, String clusterPrefix,
    boolean startTogether, java.util.List<BenchProfiles.Profile> profiles) {

  /** Defaults of a full run: about 20 minutes on 2 cores. */
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
        Duration.ofMinutes(Integer.getInteger("regent.bench.budget-minutes", 25)),
        outDir(defaultOutRoot),
        "bench", false,
        Boolean.parseBoolean(System.getProperty("regent.bench.at-least-once", "true"))
            ? BenchProfiles.withAtLeastOnce() : BenchProfiles.all());
  }

  /**
   * One trial per cluster for every row, except Pekko default's crash and pause (about 47 s each):
   * their rows stay empty with a note. Small throughput and idle windows.
   */
  public static BenchOptions smoke(Path defaultOutRoot) {
    return new BenchOptions("smoke", 1, 0, 1, 0, 1, 1, 1, 2_000, 200, 200,
        Duration.ofSeconds(3), Duration.ofMinutes(8),
        defaultOutRoot.resolve("smoke"), "bench-smoke", true, BenchProfiles.all());
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
    m.put("time budget", budget.toMinutes() + " min (trials that would end later are skipped)");
    return m;
  }
}
