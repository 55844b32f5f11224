package dev.regent.multijvm;

import static dev.regent.multijvm.Singletons.awaitFirst;
import static dev.regent.multijvm.Singletons.awaitNewer;
import static dev.regent.multijvm.Singletons.awaitVoters;

import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStopped;
import dev.regent.multijvm.harness.LoadAverage;
import dev.regent.multijvm.harness.MultiJvmCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Where the time of a graceful hand-over across JVMs goes. Three node JVMs; the node hosting the
 * singleton leaves gracefully {@code regent.multijvm.handover.trials} times (default 10), by SIGTERM
 * (the JVM's shutdown hook runs CoordinatedShutdown) and, in the second test, by
 * {@code Cluster.leave}; after each trial the node is restarted and the cluster waits for three
 * voters again.
 *
 * <p>Each trial prints, in milliseconds from the moment the test sent the signal, when the old
 * host's CoordinatedShutdown began and reached the phases that matter, when its election emitted
 * {@code ReleaseHosting} ("Handing over leadership"), when its instance terminated, when the
 * hand-over tasks reported {@code HostingReleased} ("Everything hosted ... has stopped"), when it
 * sent {@code TimeoutNow}, when the target won the vote, when it took its first lease and when its
 * instance started. The node JVMs log with {@code logback-handover.xml}, whose lines start with
 * their {@link System#nanoTime()} (one clock for all processes on the host, see
 * {@code NanoTimeAcrossProcessesTest}); the instance's start and stop come from the history.
 *
 * <p>Opt-in ({@code -Dregent.multijvm.handover=true}): it takes minutes and only prints figures
 * ({@code MEASURED graceful hand-over (...): median N ms, p90 M ms}); it asserts no timing.
 */
@EnabledIfSystemProperty(named = "regent.multijvm.handover", matches = "true")
class HandOverBreakdownTest {

  private static final Duration UP = Duration.ofSeconds(90);
  private static final Duration EXIT = Duration.ofSeconds(60);
  private static final int TRIALS = Integer.getInteger("regent.multijvm.handover.trials", 10);

  /** How a trial makes the host leave; returns its exit status. */
  private interface Leave {
    int leave(MultiJvmCluster c, int node);
  }

  @Test
  void sigterm(TestInfo info) {
    run(info, "SIGTERM", (c, i) -> c.terminate(i, EXIT));
  }

  @Test
  void clusterLeave(TestInfo info) {
    run(info, "Cluster.leave", (c, i) -> c.clusterLeave(i, EXIT));
  }

  private void run(TestInfo info, String how, Leave leave) {
    String name = "handover-" + info.getTestMethod().orElseThrow().getName();
    try (var c = MultiJvmCluster.builder(name).nodes(3).setup(HandOverSetup.class)
        .config(FencedCounterSetup.CONFIG)
        .jvmOption("-Dlogback.configurationFile=logback-handover.xml")
        .start()) {
      c.awaitAllUp(UP);
      awaitFirst(c);
      var totals = new ArrayList<Long>();
      var perMark = new LinkedHashMap<String, List<Long>>();
      int excluded = 0;
      for (int trial = 1; trial <= TRIALS; trial++) {
        // The host now: on a loaded machine leadership may have moved since the last trial.
        SingletonStarted current = Singletons.awaitExactlyOne(c, "before trial " + trial);
        int old = current.node();
        long oldPid = current.pid();
        long t0 = System.nanoTime();
        int exit = leave.leave(c, old);
        SingletonStarted next = awaitNewer(c, current);
        SingletonStarted prev = current;
        Map<String, OptionalLong> marks = new LinkedHashMap<>();
        List<Line> oldLog = lines(c, old, t0);
        List<Line> others = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
          if (i != old) {
            others.addAll(lines(c, i, t0));
          }
        }
        marks.put("cs-start", first(oldLog, "CS phase before-service-unbind"));
        marks.put("cs-before-cluster-shutdown", first(oldLog, "CS phase before-cluster-shutdown"));
        marks.put("cs-sharding-region", first(oldLog, "CS phase cluster-sharding-shutdown-region"));
        marks.put("ReleaseHosting", first(oldLog, "Handing over leadership of term"));
        marks.put("instance-terminated", c.history().of(SingletonStopped.class).stream()
            .filter(s -> s.pid() == oldPid && s.token() == prev.token() && s.nanos() >= t0)
            .mapToLong(SingletonStopped::nanos).findFirst());
        marks.put("HostingReleased", first(oldLog, "Everything hosted under term"));
        marks.put("TimeoutNow-sent", first(oldLog, "Sending TimeoutNow"));
        marks.put("TimeoutNow-received", first(others, "Received TimeoutNow"));
        marks.put("vote-won", first(others, "Won the election of term"));
        marks.put("LeaseAcquired", first(others, "with a lease"));
        marks.put("instance-started", OptionalLong.of(next.nanos()));
        marks.put("cs-cluster-leave", first(oldLog, "CS phase cluster-leave"));
        long total = (next.nanos() - t0) / 1_000_000;
        // Only a hand-over counts: if the host had lost its lease just before the signal (a
        // stalled renewal on a loaded machine), the next instance came from an ordinary election.
        boolean handOver = marks.get("ReleaseHosting").isPresent()
            && marks.get("TimeoutNow-sent").isPresent();
        if (!handOver) {
          excluded++;
          System.out.println("MEASURED hand-over trial " + trial + " (" + how + ") excluded: node "
              + old + " did not hand over (no ReleaseHosting/TimeoutNow after the signal; it had"
              + " lost leadership before), new instance after " + total + " ms");
          c.restart(old);
          c.awaitAllUp(UP);
          awaitVoters(c, c.size());
          continue;
        }
        totals.add(total);
        var text = new StringBuilder();
        for (var m : marks.entrySet()) {
          String v = m.getValue().isPresent()
              ? Long.toString((m.getValue().getAsLong() - t0) / 100_000 / 10) + "."
                  + Long.toString((m.getValue().getAsLong() - t0) / 100_000 % 10)
              : "-";
          text.append(", ").append(m.getKey()).append(' ').append(v);
          m.getValue().ifPresent(n -> perMark.computeIfAbsent(m.getKey(), k -> new ArrayList<>())
              .add((n - t0) / 1_000));
        }
        System.out.println("MEASURED hand-over trial " + trial + " (" + how + ", node " + old
            + " -> " + next.node() + ", exit " + exit + ", load " + LoadAverage.now()
            + "): ms since signal" + text);
        c.restart(old);
        c.awaitAllUp(UP);
        awaitVoters(c, c.size());
      }
      var medians = new StringBuilder();
      perMark.forEach((k, v) -> medians.append(", ").append(k).append(' ')
          .append(String.format("%.1f", percentile(v, 50) / 1000.0)));
      System.out.println("MEASURED hand-over (" + how + ") median ms since signal" + medians);
      System.out.println("MEASURED graceful hand-over (" + how + "): median "
          + percentile(totals, 50) + " ms, p90 " + percentile(totals, 90) + " ms over "
          + totals.size() + " trials (" + excluded + " excluded, load " + LoadAverage.now()
          + "); all: " + totals);
      FailureSuiteTest.check(c.history());
    }
  }

  /** Nearest rank. */
  private static long percentile(List<Long> values, int p) {
    if (values.isEmpty()) {
      return -1;
    }
    var sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private record Line(long nanos, String text) {}

  private static final Pattern LINE = Pattern.compile("^@(\\d+) (.*)$");

  /** Node {@code i}'s log lines (all its processes) written at or after {@code since}. */
  private static List<Line> lines(MultiJvmCluster c, int i, long since) {
    try {
      var out = new ArrayList<Line>();
      for (String l : Files.readAllLines(c.logFile(i), StandardCharsets.UTF_8)) {
        var m = LINE.matcher(l);
        if (m.matches()) {
          long n = Long.parseLong(m.group(1));
          if (n >= since) {
            out.add(new Line(n, m.group(2)));
          }
        }
      }
      out.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static OptionalLong first(List<Line> lines, String contains) {
    Predicate<Line> p = l -> l.text().contains(contains);
    return lines.stream().filter(p).mapToLong(Line::nanos).findFirst();
  }
}
