package dev.regent.multijvm;

import dev.regent.multijvm.bench.BenchProfiles;
import dev.regent.multijvm.harness.LoadAverage;
import dev.regent.multijvm.harness.MultiJvmCluster;
import dev.regent.multijvm.harness.NodeSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Restart after SIGKILL at the same port, to Up: issue 15's "fast rejoin", Regent and Pekko side by
 * side in one run. Opt-in, as it only measures (no timed assertion):
 *
 * <pre>
 * nice -n 10 mvn -o -B -pl multi-jvm-tests -am test -Dtest=RejoinAfterCrashTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dregent.multijvm.rejoin=true \
 *     [-Dregent.multijvm.rejoin.trials=3] [-Dregent.multijvm.rejoin.systems=regent,pekko,regent-off]
 *     [-Dregent.multijvm.rejoin.clean=0]
 * </pre>
 *
 * <p>Three node JVMs per system, each with the failover benchmark's default profile and node setup
 * ({@link BenchProfiles#REGENT_DEFAULT}: Regent's election, singleton and resolver, keep-majority;
 * {@link BenchProfiles#PEKKO_DEFAULT}: Pekko's own singleton and split-brain resolver,
 * keep-majority; both with Pekko's membership timings: 1 s gossip and leader actions,
 * {@code retry-unsuccessful-join-after = 10s}). {@code regent-off} is Regent with
 * {@code fast-rejoin = off} (not run unless listed). Per system, two kinds of trial on node 2:
 *
 * <ul>
 *   <li><b>immediate</b>: SIGKILL and spawn again at once at the same port, while the dead
 *       incarnation is still a member (what a supervisor restarting a crashed process does);
 *   <li><b>after removal</b>: SIGKILL, wait until the surviving nodes' resolver has downed and the
 *       leader removed the dead incarnation, then spawn: a plain join, the lower bound of a restart
 *       (Pekko's restarts in the failover benchmark are of this kind: its failover waits for the
 *       removal, so the benchmark restarts the node later).
 * </ul>
 *
 * <p>All clusters run at once and the trials alternate between them, so that the systems compared
 * see the same load of the shared machine. Each trial prints {@code MEASURED restart after SIGKILL at the same port -> Up: N ms (system,
 * kind, ...)} and a breakdown from the node logs' timestamps, in ms since the spawn: the new JVM's
 * start-up phases ({@code REGENT-NODE-UP} line), its first {@code InitJoinAck}, the old incarnation
 * downed (a member logs "New incarnation of existing member", or the resolver), the leader removing
 * it, the hinted join (Regent), {@code Welcome}, the leader moving it Up, and Up.
 */
@EnabledIfSystemProperty(named = "regent.multijvm.rejoin", matches = "true")
class RejoinAfterCrashTest {

  static final String HINTED_JOIN = "instead of waiting for the join retry";

  /** A compared cluster: the benchmark's profile and setup, plus extra configuration. */
  record Compared(String name, BenchProfiles.Profile profile, String extra) {
    String config() {
      return profile.fullConfig() + extra;
    }

    Class<? extends NodeSetup> setup() {
      return profile.setup();
    }
  }

  static final Map<String, Compared> SYSTEMS = Map.of(
      "regent", new Compared("Regent", BenchProfiles.REGENT_DEFAULT,
          "regent.split-brain-resolver.fast-rejoin = on\n"),
      "regent-off", new Compared("Regent fast-rejoin=off", BenchProfiles.REGENT_DEFAULT,
          "regent.split-brain-resolver.fast-rejoin = off\n"),
      "pekko", new Compared("Pekko", BenchProfiles.PEKKO_DEFAULT, ""));

  @Test
  void restartAfterCrashAtTheSamePortToUp() {
    int trials = Integer.getInteger("regent.multijvm.rejoin.trials", 3);
    int clean = Integer.getInteger("regent.multijvm.rejoin.clean", trials);
    List<String> systems = Arrays.stream(
        System.getProperty("regent.multijvm.rejoin.systems", "regent,pekko").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    System.out.println("MEASURED rejoin load average at start: " + LoadAverage.now());
    var results = new ArrayList<String>();
    var clusters = new LinkedHashMap<Compared, MultiJvmCluster>();
    try {
      for (String key : systems) {
        Compared sys = SYSTEMS.get(key);
        if (sys == null) {
          throw new IllegalArgumentException("regent.multijvm.rejoin.systems: unknown system "
              + key + " (known: " + SYSTEMS.keySet() + ")");
        }
        var cluster = MultiJvmCluster.builder("rejoin-" + key).nodes(3).setup(sys.setup())
            .config(sys.config()).start();
        clusters.put(sys, cluster);
        cluster.awaitAllUp(Duration.ofSeconds(120));
      }
      // Trials alternate between the systems, so that both see the same (shared machine's) load.
      for (int t = 1; t <= trials + clean; t++) {
        boolean immediate = t <= trials;
        for (var e : clusters.entrySet()) {
          results.add(trial(e.getValue(), e.getKey(), immediate, immediate ? t : t - trials));
        }
      }
    } finally {
      clusters.values().forEach(MultiJvmCluster::close);
    }
    System.out.println("MEASURED rejoin load average at end: " + LoadAverage.now());
    results.forEach(System.out::println);
  }

  private static String trial(MultiJvmCluster cluster, Compared sys, boolean immediate, int n) {
    String kind = immediate ? "immediate" : "after removal";
    int before = cluster.spawnToUpMillis(2).size();
    int hintsBefore = count(cluster, 2, HINTED_JOIN);
    String address = cluster.address(2);
    cluster.crash(2);
    if (!immediate) {
      // The survivors' resolver downs the dead incarnation after stable-after; the leader removes it.
      cluster.awaitCondition("dead node 2 removed from nodes 0 and 1", Duration.ofSeconds(120),
          () -> !cluster.status(0).members().containsKey(address)
              && !cluster.status(1).members().containsKey(address));
    }
    long spawnWall = System.currentTimeMillis();
    String load = LoadAverage.now();
    cluster.restart(2);
    cluster.awaitRestartedUp(2, Duration.ofSeconds(90));
    cluster.awaitCondition("node 2 reported spawn-to-Up after restart", Duration.ofSeconds(10),
        () -> cluster.spawnToUpMillis(2).size() == before + 1);
    long ms = cluster.spawnToUpMillis(2).get(before);
    boolean hinted = count(cluster, 2, HINTED_JOIN) > hintsBefore;
    String line = "MEASURED restart after SIGKILL at the same port -> Up: " + ms + " ms (" + sys.name()
        + ", " + kind + ", trial " + n + ", hinted join: " + hinted + ", load average at spawn "
        + load + ")";
    System.out.println(line);
    String breakdown = "  breakdown (" + sys.name() + ", " + kind + ", trial " + n + "): "
        + breakdown(cluster, address, spawnWall);
    System.out.println(breakdown);
    return line + "\n" + breakdown;
  }

  /**
   * The first line after {@code spawnWall} in the nodes' logs matching each step, in ms since the
   * spawn (wall clocks of one machine; logback's {@code HH:mm:ss.SSS}).
   */
  static String breakdown(MultiJvmCluster cluster, String address, long spawnWall) {
    String addr = Pattern.quote(address);
    var steps = new LinkedHashMap<String, Pattern>();
    steps.put("first InitJoinAck (node 2)", Pattern.compile("Received InitJoinAck message"));
    steps.put("old incarnation downed",
        Pattern.compile("(New incarnation of existing member \\[Member\\(pekko://[^@]+@" + addr
            + "|Marking (unreachable )?node \\[pekko://[^@]+@" + addr + "\\] as \\[Down\\])"));
    steps.put("old incarnation removed",
        Pattern.compile("Leader is removing .*node \\[pekko://[^@]+@" + addr));
    steps.put("hinted join (node 2)", Pattern.compile(Pattern.quote(HINTED_JOIN)));
    steps.put("Welcome (node 2)", Pattern.compile("Welcome from \\["));
    steps.put("leader moves it Up",
        Pattern.compile("Leader is moving node \\[pekko://[^@]+@" + addr + "\\] to \\[Up\\]"));
    var out = new StringBuilder();
    for (var step : steps.entrySet()) {
      boolean own = step.getKey().endsWith("(node 2)");
      Optional<Long> at = Optional.empty();
      for (int i = 0; i < 3; i++) {
        if (own != (i == 2)) {
          continue;
        }
        Optional<Long> found = firstAfter(cluster, i, step.getValue(), spawnWall);
        if (found.isPresent() && (at.isEmpty() || found.get() < at.get())) {
          at = found;
        }
      }
      out.append(step.getKey()).append(" ")
          .append(at.map(t -> "+" + (t - spawnWall) + " ms").orElse("-")).append("; ");
    }
    phases(cluster).ifPresent(p -> out.append("start-up phases: ").append(p));
    return out.toString();
  }

  private static final Pattern TIME = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) ");

  /** Wall-clock ms of the first line of node {@code i}'s log at or after {@code from} matching. */
  static Optional<Long> firstAfter(MultiJvmCluster cluster, int i, Pattern p, long from) {
    LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(from), ZoneId.systemDefault());
    for (String line : lines(cluster, i)) {
      Matcher m = TIME.matcher(line);
      if (!m.find() || !p.matcher(line).find()) {
        continue;
      }
      long t;
      try {
        t = LocalDateTime.of(day, LocalTime.parse(m.group(1))).atZone(ZoneId.systemDefault())
            .toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        continue;
      }
      if (t < from - 43_200_000L) {
        t += 86_400_000L; // past midnight
      }
      if (t >= from) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The start-up phases of node 2's newest process ({@code REGENT-NODE-UP} line). */
  static Optional<String> phases(MultiJvmCluster cluster) {
    String last = null;
    for (String line : lines(cluster, 2)) {
      if (line.startsWith("REGENT-NODE-UP")) {
        last = line;
      }
    }
    return Optional.ofNullable(last).map(l -> l.substring(l.indexOf('(') + 1, l.lastIndexOf(')')));
  }

  private static List<String> lines(MultiJvmCluster cluster, int i) {
    try {
      return Files.readAllLines(cluster.logFile(i));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Occurrences of {@code text} in node {@code i}'s log (appended to by each of its processes). */
  private static int count(MultiJvmCluster cluster, int i, String text) {
    try {
      return Files.readString(cluster.logFile(i)).split(Pattern.quote(text), -1).length - 1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
