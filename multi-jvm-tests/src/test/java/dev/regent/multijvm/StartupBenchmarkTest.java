package dev.regent.multijvm;

import dev.regent.multijvm.harness.LoadAverage;
import dev.regent.multijvm.harness.MultiJvmCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Start-up time of node JVMs, broken down by phase (see {@code StartupPhases} in the harness), for
 * several variants of JVM flags and configuration measured back to back. Opt-in, as it only
 * measures:
 *
 * <pre>
 * mvn -o -B -pl multi-jvm-tests -am verify -Dtest=StartupBenchmarkTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dregent.multijvm.bench=true \
 *     [-Dregent.multijvm.bench.variants=current,before] [-Dregent.multijvm.bench.rounds=4] \
 *     [-Dregent.multijvm.bench.joins=2]
 * </pre>
 *
 * <p>Each round, for each variant in turn (A, B, A, B, ...: the machine is shared and its load
 * drifts, so variants are interleaved rather than run one after the other): a cold start of a
 * 3-node cluster (all three JVMs spawned together; measured: the slowest node's spawn to Up), then
 * {@code joins} fresh joins of node 2 into the running two (it leaves gracefully, the others
 * remove it, it is spawned again: no old incarnation to remove first), then one restart after a
 * SIGKILL (what the failure suite does: the cluster first removes the old incarnation at the
 * same address). Prints every run with its phases, then medians per variant and phase, with the
 * load average at the start and end.
 */
@EnabledIfSystemProperty(named = "regent.multijvm.bench", matches = "true")
class StartupBenchmarkTest {

  private static final Pattern UP_LINE = Pattern.compile("REGENT-NODE-UP node=\\d+ spawn-to-up-ms=(\\d+) \\((.*)\\)");
  private static final Pattern PHASE = Pattern.compile("([a-z-]+)-ms=(\\d+)");

  /** A variant: base JVM flags, extra HOCON (over the harness defaults), AppCDS on or off. */
  record Variant(String name, List<String> baseJvmOptions, String config, boolean appCds) {}

  /** The harness's defaults before issue #6 (flags and Pekko timings), for comparison. */
  static final String BEFORE_CONFIG = """
      pekko.cluster.periodic-tasks-initial-delay = 1s
      pekko.cluster.retry-unsuccessful-join-after = 1s
      pekko.cluster.seed-node-timeout = 1s
      """;

  static final List<String> BEFORE_FLAGS = List.of("-Xmx128m", "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", "-Xss512k", "-Dregent.node.loglevel=INFO");

  static final Map<String, Variant> VARIANTS = new LinkedHashMap<>();

  static {
    List<String> current = MultiJvmCluster.DEFAULT_JVM_OPTIONS;
    add(new Variant("current", current, "", true));
    add(new Variant("current-nocds", current, "", false));
    add(new Variant("before", BEFORE_FLAGS, BEFORE_CONFIG, true));
    add(new Variant("before-nocds", BEFORE_FLAGS, BEFORE_CONFIG, false));
    add(new Variant("c2", without(current, "-XX:TieredStopAtLevel=1"), "", true));
    add(new Variant("ci1", with(current, "-XX:CICompilerCount=1"), "", true));
    add(new Variant("noperfdata", with(current, "-XX:-UsePerfData"), "", true));
    add(new Variant("inbound-lanes-1", current, "pekko.remote.artery.advanced.inbound-lanes = 1",
        true));
  }

  private static List<String> with(List<String> flags, String flag) {
    var l = new ArrayList<>(flags);
    l.add(flag);
    return l;
  }

  private static List<String> without(List<String> flags, String flag) {
    return flags.stream().filter(f -> !f.equals(flag)).toList();
  }

  private static void add(Variant v) {
    VARIANTS.put(v.name(), v);
  }

  @Test
  void startupBreakdown() {
    List<Variant> variants = Arrays.stream(
            System.getProperty("regent.multijvm.bench.variants", "current,before").split(","))
        .map(String::trim).map(n -> {
          Variant v = VARIANTS.get(n);
          if (v == null) {
            throw new IllegalArgumentException("unknown variant " + n + "; known: " + VARIANTS.keySet());
          }
          return v;
        }).toList();
    int rounds = Integer.getInteger("regent.multijvm.bench.rounds", 4);
    int joins = Integer.getInteger("regent.multijvm.bench.joins", 2);
    String loadBefore = LoadAverage.now();
    // variant -> kind (cold-start / join / restart) -> phase -> values
    Map<String, Map<String, Map<String, List<Long>>>> results = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      for (Variant v : variants) {
        var byKind = results.computeIfAbsent(v.name(), k -> new LinkedHashMap<>());
        try (var c = MultiJvmCluster.builder("startup-bench-" + v.name()).nodes(3)
            .baseJvmOptions(v.baseJvmOptions()).config(v.config()).appCds(v.appCds()).start()) {
          c.awaitAllUp(Duration.ofSeconds(90));
          for (int i = 0; i < 3; i++) {
            int node = i;
            c.awaitCondition("node " + i + " reported Up", Duration.ofSeconds(30),
                () -> upLines(c.logFile(node)) == 1);
          }
          // The cluster is Up when its slowest node is: report that node's phases.
          Map<String, Long> slowest = null;
          for (int i = 0; i < 3; i++) {
            Map<String, Long> p = lastUpLine(c.logFile(i));
            if (slowest == null || p.get("total") > slowest.get("total")) {
              slowest = p;
            }
          }
          record(byKind, "cold-start-3", slowest, v, round);
          for (int j = 0; j < joins; j++) {
            int ups = upLines(c.logFile(2));
            c.leave(2, Duration.ofSeconds(30));
            String addr = c.address(2);
            c.awaitCondition("node 2 removed", Duration.ofSeconds(30),
                () -> !c.status(0).members().containsKey(addr) && !c.status(1).members().containsKey(addr));
            c.restart(2);
            c.awaitCondition("node 2 Up again", Duration.ofSeconds(90),
                () -> upLines(c.logFile(2)) == ups + 1);
            record(byKind, "join", lastUpLine(c.logFile(2)), v, round);
          }
          int ups = upLines(c.logFile(2));
          c.crash(2);
          c.restart(2);
          c.awaitCondition("node 2 Up after restart", Duration.ofSeconds(90),
              () -> upLines(c.logFile(2)) == ups + 1);
          record(byKind, "restart-after-crash", lastUpLine(c.logFile(2)), v, round);
        }
      }
    }
    String loadAfter = LoadAverage.now();
    System.out.println("MEASURED start-up, medians (ms) over " + rounds + " rounds, load average "
        + loadBefore + " before, " + loadAfter + " after:");
    results.forEach((variant, byKind) -> byKind.forEach((kind, phases) -> {
      var line = new StringBuilder("MEASURED " + variant + " " + kind + ": ");
      phases.forEach((phase, values) -> line.append(phase).append('=').append(median(values))
          .append(' '));
      line.append(" (runs of total: ").append(phases.get("total")).append(')');
      System.out.println(line);
    }));
  }

  private static void record(Map<String, Map<String, List<Long>>> byKind, String kind,
      Map<String, Long> phases, Variant v, int round) {
    System.out.println("RUN " + v.name() + " round " + round + " " + kind + ": " + phases
        + " load " + LoadAverage.now());
    var byPhase = byKind.computeIfAbsent(kind, k -> new LinkedHashMap<>());
    phases.forEach((p, ms) -> byPhase.computeIfAbsent(p, k -> new ArrayList<>()).add(ms));
  }

  /**
   * How many {@code REGENT-NODE-UP} lines a node log has (a restart appends to it). Waited for
   * rather than the {@code member-up} event, which the node records just before it prints the line.
   */
  static int upLines(Path log) {
    try {
      return (int) Files.readAllLines(log).stream().filter(l -> l.startsWith("REGENT-NODE-UP")).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The phases of the last {@code REGENT-NODE-UP} line of a node log, plus {@code total}. */
  static Map<String, Long> lastUpLine(Path log) {
    try {
      String last = null;
      for (String line : Files.readAllLines(log)) {
        if (line.startsWith("REGENT-NODE-UP")) {
          last = line;
        }
      }
      Matcher m = last == null ? null : UP_LINE.matcher(last);
      if (m == null || !m.find()) {
        throw new AssertionError("no REGENT-NODE-UP line in " + log);
      }
      var phases = new LinkedHashMap<String, Long>();
      Matcher p = PHASE.matcher(m.group(2));
      while (p.find()) {
        phases.put(p.group(1), Long.parseLong(p.group(2)));
      }
      phases.put("total", Long.parseLong(m.group(1)));
      return phases;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
