package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.bench.BenchProfiles;
import dev.regent.multijvm.bench.BenchProfiles.Profile;
import dev.regent.multijvm.harness.LoadAverage;
import dev.regent.multijvm.harness.MultiJvmCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Where an idle node's CPU goes: one 3-node cluster of separate JVMs at a time with the failover
 * benchmark's profiles (Regent default, Pekko default, and variants of Regent's), each left idle,
 * then the CPU time of each node process over a window, split by thread (from
 * {@code /proc/<pid>/task/<tid>/stat}; thread names with their trailing numbers removed, so the
 * threads of one pool add up). Prints {@code MEASURED idle CPU <profile>: node N x %} per node, the
 * median, and the busiest thread groups.
 *
 * <p>Opt-in ({@code -Dregent.multijvm.idle=true}); it only measures. Window
 * {@code -Dregent.multijvm.idle.seconds=N} (default 20), after a settling time
 * {@code -Dregent.multijvm.idle.settle-seconds=N} (default 15; the JIT compiler is still busy
 * then, longer gives warm figures); variants of Regent's default profile
 * {@code -Dregent.multijvm.idle.variants="label=key = value;key = value|label2=..."}; a flight
 * recording of every node: {@code -Dregent.multijvm.idle.jfr=true}; only some runs:
 * {@code -Dregent.multijvm.idle.only=regent-default,pekko-default}.
 */
@EnabledIfSystemProperty(named = "regent.multijvm.idle", matches = "true")
class IdleCpuBreakdownTest {

  private static final int SECONDS = Integer.getInteger("regent.multijvm.idle.seconds", 20);
  private static final int SETTLE = Integer.getInteger("regent.multijvm.idle.settle-seconds", 15);
  private static final long TICKS_PER_SECOND = 100; // CLK_TCK on Linux

  @Test
  void idleCpuPerNodeAndThread() {
    var runs = new ArrayList<Map.Entry<String, Profile>>();
    runs.add(Map.entry("regent-default", BenchProfiles.REGENT_DEFAULT));
    runs.add(Map.entry("pekko-default", BenchProfiles.PEKKO_DEFAULT));
    String variants = System.getProperty("regent.multijvm.idle.variants", "");
    for (String v : variants.split("\\|")) {
      if (v.isBlank()) {
        continue;
      }
      int eq = v.indexOf('=');
      String label = v.substring(0, eq).trim();
      String hocon = v.substring(eq + 1).replace(';', '\n');
      var base = BenchProfiles.REGENT_DEFAULT;
      runs.add(Map.entry("regent-" + label, new Profile(base.system(), label, base.setup(),
          base.config() + hocon + "\n", base.lease())));
    }
    String only = System.getProperty("regent.multijvm.idle.only", "");
    for (var run : runs) {
      if (!only.isBlank() && !List.of(only.split(",")).contains(run.getKey())) {
        continue;
      }
      measure(run.getKey(), run.getValue());
    }
  }

  private void measure(String label, Profile p) {
    var builder = MultiJvmCluster.builder("idle-" + label).nodes(3).setup(p.setup())
        .config(p.fullConfig());
    if (Boolean.getBoolean("regent.multijvm.idle.jfr")) {
      // A recording per node, dumped after the window to target/idle-<label>-node<i>.jfr:
      // `jfr print --events jdk.ExecutionSample` shows where the idle CPU goes.
      builder.jvmOption("-XX:StartFlightRecording=name=idle,settings=profile");
    }
    try (var c = builder.start()) {
      c.awaitAllUp(Duration.ofSeconds(90));
      // JIT, class loading and the first gossip rounds settle before the window.
      c.assertDuring("settle", Duration.ofSeconds(SETTLE), () -> true);
      var before = new ArrayList<Map<String, Long>>();
      for (int i = 0; i < 3; i++) {
        before.add(threadTicks(c.pid(i)));
      }
      long t0 = System.nanoTime();
      c.assertDuring("idle window", Duration.ofSeconds(SECONDS), () -> true);
      double secs = (System.nanoTime() - t0) / 1e9;
      var perNode = new ArrayList<Double>();
      var groups = new TreeMap<String, Long>();
      for (int i = 0; i < 3; i++) {
        Map<String, Long> after = threadTicks(c.pid(i));
        long total = 0;
        for (var e : after.entrySet()) {
          long d = e.getValue() - before.get(i).getOrDefault(e.getKey(), 0L);
          total += d;
          String group = e.getKey().substring(e.getKey().indexOf(' ') + 1)
              .replaceAll("[-_#]?\\d+$", "");
          groups.merge(group, d, Long::sum);
        }
        double pct = 100.0 * total / TICKS_PER_SECOND / secs;
        perNode.add(pct);
        System.out.printf("MEASURED idle CPU %s: node %d %.2f %%%n", label, i, pct);
      }
      perNode.sort(Double::compare);
      System.out.printf("MEASURED idle CPU %s: median %.2f %% of a core per node over %.0f s"
          + " (load %s)%n", label, perNode.get(1), secs, LoadAverage.now());
      groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(12).forEach(e -> System.out.printf(
              "MEASURED idle CPU %s: thread group %-45s %.2f %% (3 nodes together)%n", label,
              e.getKey(), 100.0 * e.getValue() / TICKS_PER_SECOND / secs));
      for (int i = 0; i < 3; i++) {
        assertTrue(c.isAlive(i), "node " + i + " ran through the window (else its CPU is partial)");
        if (Boolean.getBoolean("regent.multijvm.idle.jfr")) {
          dumpRecording(c.pid(i), Path.of("target", "idle-" + label + "-node" + i + ".jfr"));
        }
      }
    }
  }

  private static void dumpRecording(long pid, Path file) {
    try {
      Process p = new ProcessBuilder("jcmd", Long.toString(pid), "JFR.dump", "name=idle",
          "filename=" + file.toAbsolutePath()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      System.out.println("JFR " + file + ": " + out.strip());
    } catch (IOException e) {
      System.out.println("JFR dump failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Per thread ("tid name"), utime + stime in clock ticks. */
  private static Map<String, Long> threadTicks(long pid) {
    var out = new TreeMap<String, Long>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path t : tasks.toList()) {
        try {
          String s = Files.readString(t.resolve("stat"));
          String name = s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
          String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
          out.put(t.getFileName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read: it no longer counts
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }
}
