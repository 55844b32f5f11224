package dev.regent.multijvm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The failover benchmark against Pekko's built-in singleton (docs/BENCHMARK.md).
 *
 * <ul>
 *   <li>{@link #smoke}: part of {@code mvn verify}; one trial per cluster and row (Pekko default's
 *       crash and pause rows are left empty: about 47 s each), then the loaded phase in small: a
 *       CPU hog, a 5 s quiet window, one crash trial under load per cluster (again none for Pekko
 *       default). Checks only that the report has every row, with values. Nothing about times.
 *       {@code -Dregent.bench=off} skips it.
 *   <li>{@link #full}: the benchmark, opt-in with {@code -Dregent.bench=full} ({@code ./bench.sh});
 *       trial counts and the results folder come from {@code regent.bench.*} properties
 *       ({@link BenchOptions#full}). Asserts nothing.
 * </ul>
 */
class FailoverBenchmarkTest {

  private static Path outRoot() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target",
        "benchmark");
  }

  @Test
  @DisabledIfSystemProperty(named = "regent.bench", matches = "full|off")
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void smoke() throws java.io.IOException {
    long t0 = System.nanoTime();
    FailoverBenchmark.Result r = FailoverBenchmark.run(BenchOptions.smoke(outRoot()));
    System.out.println("BENCH smoke took " + (System.nanoTime() - t0) / 1_000_000_000L + " s");

    List<Measurement> ms = r.measurements();
    assertEquals(Metric.all().size() * BenchProfiles.all().size(), ms.size(), "one row each");
    for (Metric m : Metric.all()) {
      for (BenchProfiles.Profile p : BenchProfiles.all()) {
        Measurement row = ms.stream()
            .filter(x -> x.metric().equals(m.name()) && x.system().equals(p.system())
                && x.profile().equals(p.profile()))
            .findFirst().orElseThrow(() -> new AssertionError("no row " + m.name() + " " + p));
        boolean notRun = p.isPekkoDefault()
            && List.of(Metric.CRASH, Metric.LOST, Metric.DUPLICATES, Metric.PAUSE, Metric.STALE,
                Metric.CRASH_LOAD).contains(m);
        if (notRun) {
          assertTrue(row.values().isEmpty() && row.note().contains("not run in smoke mode"),
              row.toString());
        } else if (m == Metric.RESTART_UP_LOAD) {
          // Restarts under load follow the crash trials under load (none for Pekko default), or a
          // node that died in the quiet window.
          assertTrue(!row.values().isEmpty() || (p.isPekkoDefault()
              && row.note().contains("no node restarted under load")), row.toString());
        } else {
          assertFalse(row.values().isEmpty(), "values for " + row);
        }
      }
    }
    assertTrue(Files.exists(r.outDir().resolve("trials.txt")));
    assertFalse(r.table().isBlank());
    for (var m : r.measurements()) {
      assertTrue(r.table().contains(m.metric()), "table has a row for " + m.metric());
    }
    // The loaded phase ran with its hog: the quiet window's note gives the load average, and the
    // hog's own log says it started (it is killed by pid at the end of the phase).
    for (var m : r.measurements()) {
      if (m.metric().equals(Metric.SPURIOUS.name())) {
        assertTrue(m.note().contains("load average") && m.note().contains("stops"), m.toString());
      }
      // The restart count, applied to each crash trial under load, saw the crash's restart.
      if (m.metric().equals(Metric.CRASH_LOAD.name()) && !m.values().isEmpty()) {
        assertTrue(m.note().contains("saw the crash's restart in " + m.values().size() + " of "
            + m.values().size()), m.toString());
      }
    }
    assertTrue(r.environment().get("load during the loaded phase").startsWith("CPU hog pid"),
        r.environment().toString());
    assertTrue(Files.readString(r.outDir().resolve("cpu-hog.log")).contains("cpu hog: pid"));
    assertTrue(ProcessHandle.current().descendants().noneMatch(ph -> ph.info().commandLine()
        .orElse("").contains("CpuHogMain")), "the CPU hog was stopped");
    for (String f : List.of("results.json", "results.md", "failover.svg")) {
      assertTrue(Files.size(r.outDir().resolve(f)) > 0, f);
    }
  }

  @Test
  @EnabledIfSystemProperty(named = "regent.bench", matches = "full")
  @Timeout(value = 40, unit = TimeUnit.MINUTES)
  void full() {
    FailoverBenchmark.Result r = FailoverBenchmark.run(BenchOptions.full(outRoot()));
    System.out.println("BENCH results in " + r.outDir());
  }
}
