package dev.regent.multijvm.bench;

import dev.regent.multijvm.harness.CpuHog;
import dev.regent.multijvm.harness.HistoryEvent;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStopped;
import dev.regent.multijvm.harness.HistoryRecorder;
import dev.regent.multijvm.harness.LeadershipReporter;
import dev.regent.multijvm.harness.LoadAverage;
import dev.regent.multijvm.harness.MultiJvmCluster;
import dev.regent.multijvm.harness.NodeStatus;
import dev.regent.toolkit.testkit.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The failover benchmark (issue #8): Regent against Pekko's built-in {@code ClusterSingleton} with
 * Pekko's split-brain resolver, each with its defaults and a tuned profile ({@link BenchProfiles}),
 * in four 3-node clusters of separate JVMs that run side by side for the whole run. One trial at a
 * time, round-robin over the clusters, so that both systems see the same machine. It measures (see
 * {@link Metric} and docs/BENCHMARK.md) and asserts nothing about times.
 *
 * <p>Order: start the clusters one after the other (start to Up); throughput and ask latency
 * rounds; an idle window (CPU, heap); pause rounds; crash rounds (with the message stream); SIGTERM
 * rounds; then the loaded phase (issue #15): a {@link CpuHog} in a separate JVM, a quiet window
 * under load in which every cluster is watched for singleton restarts, and crash rounds under
 * load. A killed, downed or stopped node is restarted with its state before its cluster's next
 * trial (restart to Up), and every trial begins on a clean cluster: three members Up in every
 * node's view, nobody unreachable, for Regent three voters everywhere, and a singleton running.
 *
 * <p>Every wait is bounded. A trial that fails (a bound passed, a node exited unexpectedly) is
 * counted in its rows' notes and its cluster is repaired (dead nodes restarted; if that fails, the
 * cluster is started afresh; if that fails too, its remaining trials are skipped). Trials that
 * could end after the time budget are skipped and noted. Every value is printed as it is measured:
 * {@code TRIAL system=Regent profile=default round=1 metric=crash failover value=812.3 ms}.
 */
public final class FailoverBenchmark {

  private static final String EVENTS_FILE = "events.jsonl"; // NodeMain's per-node history file
  private static final Duration UP = Duration.ofSeconds(120);
  private static final Duration READY = Duration.ofSeconds(150);

  private final BenchOptions o;
  private final long startNanos = System.nanoTime();
  private final long deadlineNanos;
  /**
   * The deadline trials are held to now: until the loaded phase, the budget less the part kept
   * for it; then the whole budget.
   */
  private long trialDeadlineNanos;
  /** Whether the CPU hog runs (the loaded phase): restarts count as restart to Up under load. */
  private boolean underLoad;
  /** What the loaded phase did, for the report's environment. */
  private String loadSummary;
  private final List<String> trialLines = new ArrayList<>();
  private final List<Bench> benches = new ArrayList<>();

  private FailoverBenchmark(BenchOptions o) {
    this.o = o;
    this.deadlineNanos = startNanos + o.budget().toNanos();
    this.trialDeadlineNanos = o.load().on()
        ? deadlineNanos - o.load().reserve().toNanos() : deadlineNanos;
    this.loadSummary = o.load().on() ? "not reached" : "not run (--no-load)";
  }

  /** What a run produced: the measurements, the report and its stdout table, where it was written. */
  public record Result(BenchReport report, List<Measurement> measurements,
      Map<String, String> environment, Path outDir, String table) {}

  /** Runs the benchmark; always closes every cluster (every node JVM is killed) before returning. */
  public static Result run(BenchOptions options) {
    return new FailoverBenchmark(options).run();
  }

  private Result run() {
    String loadStart = LoadAverage.now();
    log("run " + o.mode() + ": results in " + o.outDir());
    try {
      for (BenchProfiles.Profile p : o.profiles()) {
        benches.add(new Bench(p));
      }
      if (o.startTogether()) {
        // Smoke mode: spawn all twelve JVMs at once (faster; start-to-Up then includes the crowd).
        for (Bench b : benches) {
          try {
            b.spawn(0);
          } catch (RuntimeException | AssertionError e) {
            b.broken("did not start: " + e);
          }
        }
      }
      for (Bench b : benches) {
        if (b.broken) {
          continue;
        }
        try {
          if (!o.startTogether()) {
            b.spawn(0);
          }
          b.awaitStarted();
        } catch (RuntimeException | AssertionError e) {
          b.failed("start", e);
          b.startAfresh("its start failed (" + e + ")");
        }
      }
      phase("throughput and ask latency");
      setWrites(false);
      for (int r = 1; r <= o.rounds(); r++) {
        for (Bench b : benches) {
          int round = r;
          b.trial("throughput", round, Duration.ofSeconds(60), () -> b.throughput(round));
        }
      }
      phase("idle CPU and heap");
      idleWindow();
      setWrites(true);
      phase("pause (SIGSTOP) failover");
      rounds(o::pauseFor, "pause", (b, r) -> b.pauseTrial(r));
      phase("crash (SIGKILL) failover and messages lost");
      rounds(o::crashFor, "crash", (b, r) -> b.crashTrial(r, false));
      phase("graceful (SIGTERM) handover");
      rounds(o::gracefulFor, "graceful", (b, r) -> b.gracefulTrial(r));
      if (o.load().on()) {
        phase("under load (CPU hog): a quiet window, then crash failover");
        loadedPhase();
      }
    } finally {
      for (Bench b : benches) {
        b.close();
      }
    }
    Map<String, String> env = environment(loadStart);
    List<Measurement> ms = new ArrayList<>();
    for (Metric m : Metric.all()) {
      for (Bench b : benches) {
        ms.add(b.measurement(m));
      }
    }
    return report(ms, env);
  }

  private interface TrialBody {
    void run(Bench b, int round);
  }

  private void rounds(java.util.function.ToIntFunction<BenchProfiles.Profile> count, String kind,
      TrialBody body) {
    int max = benches.stream().mapToInt(b -> count.applyAsInt(b.p)).max().orElse(0);
    for (int r = 1; r <= max; r++) {
      for (Bench b : benches) {
        if (r <= count.applyAsInt(b.p)) {
          int round = r;
          b.trial(kind, round, b.p.isPekkoDefault() ? Duration.ofSeconds(90)
              : Duration.ofSeconds(40), () -> body.run(b, round));
        }
      }
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Report

  private Result report(List<Measurement> ms, Map<String, String> env) {
    try {
      Files.createDirectories(o.outDir());
      Files.write(o.outDir().resolve("trials.txt"), trialLines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Measurement m : ms) {
      System.out.println("SUMMARY " + m.system() + " " + m.profile() + " | " + m.metric() + " | "
          + summary(m.values()) + " " + m.unit() + (m.note().isEmpty() ? "" : " | " + m.note()));
    }
    BenchReport report = BenchReport.of(ms, env);
    String table = report.table();
    System.out.println(table);
    try {
      Files.writeString(o.outDir().resolve("table.txt"), table, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    report.writeTo(o.outDir());
    log("results in " + o.outDir() + " (" + (System.nanoTime() - startNanos) / 1_000_000_000L
        + " s)");
    return new Result(report, ms, env, o.outDir(), table);
  }

  private static String summary(List<Double> v) {
    if (v.isEmpty()) {
      return "no values";
    }
    var s = v.stream().sorted().toList();
    return "n=" + s.size() + " min " + fmt(s.get(0)) + " median " + fmt(s.get(s.size() / 2))
        + " max " + fmt(s.get(s.size() - 1));
  }

  private Map<String, String> environment(String loadStart) {
    var env = new LinkedHashMap<String, String>();
    env.put("date", ZonedDateTime.now().withNano(0).toString());
    env.put("command", System.getProperty("regent.bench.command",
        o.mode().equals("smoke") ? "mvn verify (smoke mode)" : "./bench.sh"));
    env.putAll(o.describe());
    env.put("machine", cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
        + " CPUs, " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
    env.put("java", System.getProperty("java.vm.name") + " "
        + System.getProperty("java.runtime.version"));
    env.put("load average", "start " + loadStart + ", end " + LoadAverage.now());
    env.put("duration", (System.nanoTime() - startNanos) / 1_000_000_000L + " s");
    env.put("load during the loaded phase", loadSummary);
    env.put("clusters", o.profiles().size() + " clusters of 3 node JVMs on 127.0.0.1, all running"
        + " (idle when not under test) for the whole run; one trial at a time, round-robin: "
        + o.profiles().stream().map(BenchProfiles.Profile::label)
            .collect(Collectors.joining(", ")));
    env.put("node JVMs", "the harness's defaults for both systems: -Xmx128m -XX:+UseSerialGC"
        + " -XX:TieredStopAtLevel=1 -Xss512k, an AppCDS archive, Artery TCP with test-mode on");
    env.put("profile common", oneLine(BenchProfiles.COMMON));
    for (BenchProfiles.Profile p : o.profiles()) {
      env.put("profile " + p.label(), oneLine(p.config()));
    }
    env.put("node logs", benches.stream().map(b -> b.logDir)
        .filter(java.util.Objects::nonNull).map(Path::toString).distinct()
        .collect(Collectors.joining(", ")));
    return env;
  }

  private static String oneLine(String hocon) {
    return hocon.lines().map(String::trim).filter(l -> !l.isEmpty())
        .collect(Collectors.joining("; "));
  }

  // -----------------------------------------------------------------------------------------------
  // Idle window

  private void idleWindow() {
    var live = benches.stream().filter(b -> !b.broken).toList();
    for (Bench b : live) {
      try {
        b.ensureReady();
      } catch (RuntimeException | AssertionError e) {
        b.failed("idle", e);
      }
    }
    waitFor("the clusters settle before the idle window", Duration.ofSeconds(2));
    long ticksPerSecond = clockTicks();
    Map<Long, Long> before = new HashMap<>();
    for (Bench b : live) {
      for (int i = 0; i < b.c.size(); i++) {
        if (b.c.isAlive(i)) {
          before.put(b.c.pid(i), cpuTicks(b.c.pid(i)));
        }
      }
    }
    long t0 = System.nanoTime();
    waitFor("the idle window", o.idle());
    double seconds = (System.nanoTime() - t0) / 1e9;
    for (Bench b : live) {
      for (int i = 0; i < b.c.size(); i++) {
        long pid = b.c.isAlive(i) ? b.c.pid(i) : -1;
        Long start = before.get(pid);
        if (start == null || start < 0) {
          b.failed("idle", new IllegalStateException("node " + i + " restarted during the window"));
          continue;
        }
        long end = cpuTicks(pid);
        if (end < 0) {
          b.skipped("idle", "no /proc: CPU not measured");
          continue;
        }
        b.add(Metric.IDLE_CPU, "node=" + i, 100.0 * (end - start) / ticksPerSecond / seconds);
      }
      for (int i = 0; i < b.c.size(); i++) {
        try {
          long bytes = Long.parseLong(b.c.probe(i, BenchNode.HEAP).trim());
          b.add(Metric.HEAP, "node=" + i, bytes / (1024.0 * 1024.0));
        } catch (RuntimeException e) {
          b.failed("heap", e);
        }
      }
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Loaded phase

  /**
   * Starts the CPU hog (a separate JVM, killed by pid in the finally; it also ends by itself a few
   * minutes after the budget), waits bounded until the load average is twice the core count, then
   * the quiet window and the crash rounds under load.
   */
  private void loadedPhase() {
    trialDeadlineNanos = deadlineNanos;
    BenchOptions.Load load = o.load();
    long left = deadlineNanos - System.nanoTime();
    if (left < load.ramp().plus(load.window()).toNanos()) {
      loadSummary = "skipped: the time budget of " + o.budget().toMinutes() + " min was reached";
      for (Bench b : benches) {
        b.skipped("load-window", "time budget of " + o.budget().toMinutes() + " min reached");
        b.skipped("crash-load", "time budget of " + o.budget().toMinutes() + " min reached");
      }
      return;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    double target = 2.0 * cores;
    // Ends by itself 5 min after the budget at the latest, should the kill below never run.
    Duration limit = Duration.ofNanos(left).plusMinutes(5);
    CpuHog hog = null;
    try {
      hog = CpuHog.start(load.threads(), limit, o.outDir().resolve("cpu-hog.log"));
      underLoad = true;
      long t0 = System.nanoTime();
      double reached = hog.awaitLoad(target, load.ramp());
      long waited = (System.nanoTime() - t0) / 1_000_000_000L;
      loadSummary = "CPU hog pid " + hog.pid() + ", " + load.threads() + " busy threads, ends by"
          + " itself after " + limit.toMinutes() + " min; 1-minute load average "
          + String.format(Locale.ROOT, "%.2f", reached) + " after " + waited + " s (target "
          + fmt(target) + ": 2 × " + cores + " cores"
          + (reached >= target ? "" : ", NOT reached within " + load.ramp().toSeconds() + " s")
          + ")";
      log("cpu hog pid " + hog.pid() + " (" + load.threads() + " threads): load average "
          + LoadAverage.now() + " after " + waited + " s");
      CpuHog running = hog;
      quietWindow(running);
      rounds(o::loadCrashFor, "crash-load", (b, r) -> {
        if (!running.isAlive()) {
          throw new IllegalStateException("the CPU hog no longer runs");
        }
        b.crashTrial(r, true);
      });
      loadSummary += "; at the end " + LoadAverage.now() + " (1/5/15 min)";
    } catch (RuntimeException e) {
      log("the loaded phase failed: " + e);
      loadSummary += "; the phase failed: " + e;
      for (Bench b : benches) {
        b.failed("crash-load", e);
      }
    } finally {
      underLoad = false;
      if (hog != null) {
        hog.close(); // SIGKILL by pid, waits until it is gone
        log("cpu hog pid " + hog.pid() + " stopped; load average " + LoadAverage.now());
      }
    }
  }

  /**
   * Every ready cluster watched at once for {@link BenchOptions.Load#window()} with the hog running
   * and no fault injected: their singletons' starts and stops, Regent's suspensions and terms, and
   * node exits. A cluster with a node gone afterwards is repaired (the node restarted).
   */
  private void quietWindow(CpuHog hog) {
    var watched = new ArrayList<Bench>();
    for (Bench b : benches) {
      if (b.broken) {
        b.skipped("load-window", "cluster unusable (" + b.brokenReason + ")");
        continue;
      }
      try {
        b.ensureReady();
        watched.add(b);
      } catch (RuntimeException | AssertionError e) {
        b.failed("load-window", e);
        b.repair();
      }
    }
    Map<Bench, long[]> pids = new HashMap<>();
    for (Bench b : watched) {
      pids.put(b, IntStream.range(0, b.c.size()).mapToLong(i -> b.c.isAlive(i) ? b.c.pid(i) : -1)
          .toArray());
    }
    String loadBefore = LoadAverage.now();
    long t0 = System.nanoTime();
    log("quiet window under load: " + o.load().window().toSeconds() + " s, " + watched.size()
        + " clusters, load average " + loadBefore);
    waitFor("the quiet window under load", o.load().window());
    long t1 = System.nanoTime();
    String load = "load average " + loadBefore + " → " + LoadAverage.now();
    boolean hogRan = hog.isAlive();
    for (Bench b : watched) {
      if (!hogRan) {
        b.failed("load-window", new IllegalStateException("the CPU hog stopped during the window"));
        continue;
      }
      b.countRestarts(t0, t1, pids.get(b), load);
    }
    for (Bench b : watched) {
      if (b.anyDead()) {
        b.repair();
      }
    }
  }

  /** utime + stime of a process in clock ticks, or -1 without /proc. */
  static long cpuTicks(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String s = Files.readString(stat);
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  private void setWrites(boolean on) {
    for (Bench b : benches) {
      if (b.broken) {
        continue;
      }
      for (int i = 0; i < b.c.size(); i++) {
        if (b.c.isAlive(i)) {
          try {
            b.c.probe(i, on ? BenchNode.WRITES_ON : BenchNode.WRITES_OFF);
          } catch (RuntimeException e) {
            log(b.p.label() + ": node " + i + " did not switch writes: " + e);
          }
        }
      }
    }
  }

  // -----------------------------------------------------------------------------------------------
  // One cluster

  /** One of the four clusters, its trials and its values. */
  private final class Bench {
    final BenchProfiles.Profile p;
    MultiJvmCluster c;
    Path logDir;
    boolean broken;
    String brokenReason = "";
    int generation;
    final Map<Metric, List<Double>> values = new LinkedHashMap<>();
    /** Per trial kind: failures, skips and other notes, in order. */
    final Map<String, List<String>> failures = new LinkedHashMap<>();
    final Map<String, List<String>> skips = new LinkedHashMap<>();
    final Map<Metric, List<String>> extra = new LinkedHashMap<>();
    final Map<String, Long> lastDuration = new HashMap<>();
    /** Crash trials under load in which {@link RestartCount} saw the restart (a control). */
    int crashRestartsSeen;

    Bench(BenchProfiles.Profile p) {
      this.p = p;
    }

    String name() {
      return o.clusterPrefix() + "-" + p.slug() + (generation == 0 ? "" : "-" + generation);
    }

    void start(int gen) {
      spawn(gen);
      awaitStarted();
    }

    void spawn(int gen) {
      generation = gen;
      log(p.label() + ": starting " + name());
      c = MultiJvmCluster.builder(name()).nodes(3).setup(p.setup()).config(p.fullConfig())
          .jvmOption("-Dregent.bench.rate=" + o.rate())
          .jvmOption("-Dregent.bench.messages=" + o.messages())
          .jvmOption("-Dregent.bench.asks=" + o.asks())
          .start();
      logDir = c.logFile(0).getParent().toAbsolutePath();
    }

    /** Waits until the cluster is Up (start to Up of each node) and ready for a trial. */
    void awaitStarted() {
      c.awaitAllUp(UP);
      c.awaitCondition("every node recorded its Up time", UP,
          () -> IntStream.range(0, 3).allMatch(i -> !c.spawnToUpMillis(i).isEmpty()));
      for (int i = 0; i < 3; i++) {
        if (underLoad) {
          log(p.label() + ": node " + i + " started under load (a fresh cluster), Up after "
              + c.spawnToUpMillis(i).get(0) + " ms: not a value of start to Up");
        } else {
          add(Metric.START_UP, "node=" + i, c.spawnToUpMillis(i).get(0));
        }
      }
      ensureReady();
    }

    void close() {
      if (c != null) {
        try {
          c.close();
        } catch (RuntimeException e) {
          log(p.label() + ": close failed: " + e);
        }
      }
    }

    void broken(String why) {
      broken = true;
      brokenReason = why;
      log(p.label() + ": giving up on this cluster: " + why);
    }

    /** Runs one trial of {@code kind}, within the budget, repairing the cluster if it fails. */
    void trial(String kind, int round, Duration estimate, Runnable body) {
      if (broken) {
        skipped(kind, "cluster unusable (" + brokenReason + ")");
        return;
      }
      long est = lastDuration.getOrDefault(kind, estimate.toNanos());
      if (System.nanoTime() + est > trialDeadlineNanos) {
        skipped(kind, "time budget of " + o.budget().toMinutes() + " min reached"
            + (trialDeadlineNanos < deadlineNanos ? " (the last " + o.load().reserve().toMinutes()
                + " min kept for the loaded phase)" : ""));
        return;
      }
      log(p.label() + ": " + kind + " round " + round);
      long t = System.nanoTime();
      try {
        body.run();
        // Back to full strength (dead nodes restarted, restart to Up measured) before the next
        // cluster's trial, so every trial runs with the same twelve JVMs in the background.
        ensureReady();
        lastDuration.put(kind, System.nanoTime() - t);
      } catch (RuntimeException | AssertionError e) {
        log(p.label() + ": " + kind + " round " + round + " failed: " + e);
        failed(kind, e);
        repair();
      }
    }

    void repair() {
      try {
        for (int i = 0; i < c.size(); i++) {
          if (c.isAlive(i)) {
            try {
              c.resume(i); // in case a failed pause trial left it stopped; harmless otherwise
            } catch (RuntimeException e) {
              // not running
            }
          }
        }
        ensureReady();
      } catch (RuntimeException | AssertionError e) {
        startAfresh("repair failed (" + e + ")");
      }
    }

    /**
     * Closes the cluster and starts a new one (new ports, new directories), up to two times; gives
     * up on the cluster if neither becomes ready. A start can fail for reasons outside both
     * systems: the harness picks each node's port by binding port 0, and another socket may take
     * it before the node JVM binds it (the node then exits with status 2).
     */
    void startAfresh(String why) {
      for (int attempt = 1; attempt <= 2; attempt++) {
        log(p.label() + ": " + why + "; starting the cluster afresh (attempt " + attempt + ")");
        close();
        try {
          start(generation + 1);
          return;
        } catch (RuntimeException | AssertionError e) {
          failed("start", e);
          why = "the new cluster did not start (" + e + ")";
        }
      }
      broken(why);
    }

    // ---- readiness and observation

    /**
     * Restarts dead nodes (measuring restart to Up) and waits for a clean cluster: three members Up
     * in every view, nobody unreachable, for Regent three voters everywhere, a singleton running.
     */
    void ensureReady() {
      long deadline = System.nanoTime() + READY.toNanos();
      while (true) {
        try {
          for (int i = 0; i < c.size(); i++) {
            if (!c.isAlive(i)) {
              restart(i);
            }
          }
          Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
          c.awaitCondition(p.label() + " ready (3 members Up everywhere, none unreachable"
              + (isRegent() ? ", 3 voters" : "") + ", a singleton running)", left,
              () -> anyDead() || ready());
          if (!anyDead()) {
            return;
          }
        } catch (RuntimeException | AssertionError e) {
          // A node died (e.g. downed by a resolver, or a restart that could not bind its port):
          // restart it again while time is left.
          if (!anyDead() || System.nanoTime() > deadline) {
            throw e;
          }
          log(p.label() + ": a node is down while waiting for the cluster (" + e
              + "); restarting it");
          failed(underLoad ? "restart-load" : "restart", e);
          waitFor("a moment before restarting", Duration.ofSeconds(1));
        }
      }
    }

    boolean anyDead() {
      return IntStream.range(0, c.size()).anyMatch(i -> !c.isAlive(i));
    }

    boolean isRegent() {
      return p.system().equals(Measurement.REGENT);
    }

    private boolean ready() {
      var addresses = IntStream.range(0, c.size()).mapToObj(c::address).toList();
      for (int i = 0; i < c.size(); i++) {
        NodeStatus s = c.status(i);
        if (!s.unreachable().isEmpty() || s.members().size() != addresses.size()
            || !addresses.stream().allMatch(a -> "Up".equals(s.members().get(a)))) {
          return false;
        }
        if (isRegent() && Integer.parseInt(c.probe(i, LeadershipReporter.VOTERS).trim()) != 3) {
          return false;
        }
      }
      return running().isPresent();
    }

    /** Restarts node {@code i} with its state and records its restart-to-Up time. */
    void restart(int i) {
      int before = c.spawnToUpMillis(i).size();
      c.restart(i);
      c.awaitCondition("restarted node " + i + " of " + p.label() + " is Up", UP,
          () -> c.spawnToUpMillis(i).size() > before);
      List<Long> ups = c.spawnToUpMillis(i);
      add(underLoad ? Metric.RESTART_UP_LOAD : Metric.RESTART_UP, "node=" + i,
          ups.get(ups.size() - 1));
    }

    List<HistoryEvent> events(int i) {
      return HistoryRecorder.read(c.stateDirectory(i).toAbsolutePath().getParent()
          .resolve(EVENTS_FILE));
    }

    List<Path> nodeDirs() {
      return IntStream.range(0, c.size())
          .mapToObj(i -> c.stateDirectory(i).toAbsolutePath().getParent()).toList();
    }

    /** The newest incarnation that has not stopped, in a process that runs. */
    Optional<SingletonStarted> running() {
      SingletonStarted best = null;
      for (int i = 0; i < c.size(); i++) {
        if (!c.isAlive(i)) {
          continue;
        }
        long pid = c.pid(i);
        SingletonStarted open = null;
        for (HistoryEvent e : events(i)) {
          if (e instanceof SingletonStarted s && s.pid() == pid) {
            open = s;
          } else if (e instanceof SingletonStopped s && open != null && s.pid() == pid
              && s.lineage() == open.lineage() && s.token() == open.token()) {
            open = null;
          }
        }
        if (open != null && (best == null || open.nanos() > best.nanos())) {
          best = open;
        }
      }
      return Optional.ofNullable(best);
    }

    /** Waits for the first incarnation started after {@code afterNanos} on a node other than
     *  {@code old}, in that node's current process. */
    SingletonStarted awaitNewStart(long afterNanos, int old, Duration bound) {
      SingletonStarted[] found = new SingletonStarted[1];
      c.awaitCondition("a new singleton instance on another node than " + old, bound, () -> {
        SingletonStarted first = null;
        for (int i = 0; i < c.size(); i++) {
          if (i == old || !c.isAlive(i)) {
            continue;
          }
          long pid = c.pid(i);
          for (HistoryEvent e : events(i)) {
            if (e instanceof SingletonStarted s && s.pid() == pid && s.nanos() > afterNanos
                && (first == null || s.nanos() < first.nanos())) {
              first = s;
            }
          }
        }
        found[0] = first;
        return first != null;
      });
      return found[0];
    }

    /**
     * The quiet window's value for this cluster ({@link RestartCount}, from every node's history
     * between {@code t0} and {@code t1}), with the nodes whose JVM exited in the window and the
     * load average in the note.
     */
    void countRestarts(long t0, long t1, long[] pidsBefore, String load) {
      RestartCount count = RestartCount.of(
          IntStream.range(0, c.size()).mapToObj(this::events).toList(), t0, t1);
      int exits = 0;
      for (int i = 0; i < c.size(); i++) {
        exits += pidsBefore[i] != (c.isAlive(i) ? c.pid(i) : -1) ? 1 : 0;
      }
      int window = values.getOrDefault(Metric.SPURIOUS, List.of()).size() + 1;
      String detail = count.describe(isRegent(), exits);
      log(p.label() + ": quiet window under load: " + detail + "; " + load);
      add(Metric.SPURIOUS, "window=" + window, count.restarts());
      note(Metric.SPURIOUS, detail + "; " + load);
    }

    Optional<SingletonStopped> stopOf(SingletonStarted s) {
      return events(s.node()).stream()
          .filter(e -> e instanceof SingletonStopped x && x.pid() == s.pid()
              && x.lineage() == s.lineage() && x.token() == s.token() && x.nanos() >= s.nanos())
          .map(e -> (SingletonStopped) e).findFirst();
    }

    Duration failoverBound() {
      return p.isPekkoDefault() ? Duration.ofSeconds(150) : Duration.ofSeconds(60);
    }

    // ---- trials

    void throughput(int round) {
      ensureReady();
      int host = running().orElseThrow().node();
      int from = (host + 1) % c.size();
      c.probe(from, BenchNode.JOB_START);
      String[] result = new String[1];
      c.awaitCondition("the throughput job on node " + from, Duration.ofSeconds(240), () -> {
        result[0] = c.probe(from, BenchNode.JOB_RESULT).trim();
        return !result[0].isEmpty();
      });
      if (!result[0].startsWith("OK")) {
        throw new IllegalStateException("throughput job: " + result[0]);
      }
      String[] f = result[0].split(" ");
      String label = "round=" + round;
      add(Metric.THROUGHPUT, label, Double.parseDouble(f[1]));
      add(Metric.ASK_P50, label, Double.parseDouble(f[2]) / 1000.0);
      add(Metric.ASK_P99, label, Double.parseDouble(f[3]) / 1000.0);
      long lost = Long.parseLong(f[4]);
      if (lost != 0) {
        note(Metric.THROUGHPUT, "round " + round + ": " + lost + " work messages unaccounted");
      }
    }

    /**
     * SIGKILL of the host with the message stream running; crash failover (and, unloaded, the
     * messages lost and duplicated; under load only the failover, with the load average at the
     * crash in the note).
     */
    void crashTrial(int round, boolean loaded) {
      ensureReady();
      SingletonStarted host = running().orElseThrow();
      int h = host.node();
      int from = (h + 1) % c.size();
      long run = Long.parseLong(c.probe(from, BenchNode.LOAD_START).trim());
      boolean stopped = false;
      try {
        waitFor("the stream runs before the crash", Duration.ofSeconds(1));
        String load = LoadAverage.now();
        long t0 = System.nanoTime();
        c.crash(h);
        SingletonStarted next = awaitNewStart(t0, h, failoverBound());
        waitUntil("the new instance has run for 2 s", next.nanos() + 2_000_000_000L);
        String[] stop = c.probe(from, BenchNode.LOAD_STOP).trim().split(" ");
        stopped = true;
        if (loaded) {
          add(Metric.CRASH_LOAD, "round=" + round, ms(next.nanos() - t0));
          note(Metric.CRASH_LOAD, load.split(" ")[0]);
          // Control of the quiet window's counter: the same count over this trial must see the
          // restart the crash caused.
          if (RestartCount.of(IntStream.range(0, c.size()).mapToObj(this::events).toList(), t0,
              System.nanoTime()).restarts() >= 1) {
            crashRestartsSeen++;
          }
          return;
        }
        long sent = Long.parseLong(stop[1]);
        long processed = drain(run, sent);
        add(Metric.CRASH, "round=" + round, ms(next.nanos() - t0));
        add(Metric.LOST, "round=" + round, sent - processed);
        add(Metric.DUPLICATES, "round=" + round,
            ReceivedLog.processedCount(nodeDirs(), run) - processed);
        note(Metric.LOST, Long.toString(sent));
      } finally {
        if (!stopped && c.isAlive(from)) {
          try {
            c.probe(from, BenchNode.LOAD_STOP);
          } catch (RuntimeException e) {
            // best effort
          }
        }
      }
    }

    /** Distinct sequence numbers of {@code run} processed, once they stop growing (bounded). */
    long drain(long run, long sent) {
      long[] last = {-1};
      long[] changed = {System.nanoTime()};
      poll(Duration.ofSeconds(20), () -> {
        long n = ReceivedLog.processed(nodeDirs(), run).size();
        if (n != last[0]) {
          last[0] = n;
          changed[0] = System.nanoTime();
        }
        return n >= sent || System.nanoTime() - changed[0] > 2_000_000_000L;
      });
      return ReceivedLog.processed(nodeDirs(), run).size();
    }

    void pauseTrial(int round) {
      ensureReady();
      SingletonStarted host = running().orElseThrow();
      int h = host.node();
      c.allowExit(h); // a split-brain resolver may down it (Pekko's does), and it then exits
      long t0 = System.nanoTime();
      c.pause(h);
      SingletonStarted next;
      long resumed;
      try {
        next = awaitNewStart(t0, h, failoverBound());
        long minEnd = t0 + 2 * p.lease().toNanos();
        // Resume once the new instance has written: the resource then knows the newer token.
        c.awaitCondition("the pause lasted 2 x lease and the new instance wrote",
            Duration.ofSeconds(60), () -> System.nanoTime() >= minEnd
                && c.resource().writes().stream().anyMatch(w -> w.pid() == next.pid()
                    && w.accepted() && w.nanos() > next.nanos()));
      } finally {
        resumed = System.nanoTime();
        c.resume(h);
      }
      // Watch the woken instance for at least 2 s, until it stopped or its JVM exited (bounded).
      long watchEnd = resumed + 2_000_000_000L;
      boolean ended = poll(Duration.ofSeconds(20), () -> System.nanoTime() >= watchEnd
          && (!c.isAlive(h) || c.pid(h) != host.pid() || stopOf(host).isPresent()));
      // The old incarnation's writes only: same process and token, up to its stop. The woken
      // node may legitimately host a later incarnation (Regent: a newer term, e.g. when it wins
      // the next election); Pekko's incarnations all write with token 0, so the stop bounds them.
      long until = stopOf(host).map(SingletonStopped::nanos).orElse(Long.MAX_VALUE);
      var stale = c.resource().writes().stream()
          .filter(w -> w.pid() == host.pid() && w.lineage() == host.lineage()
              && w.token() == host.token()
              && w.nanos() > resumed && w.nanos() <= until).toList();
      long accepted = stale.stream().filter(HistoryEvent.WriteAttempt::accepted).count();
      add(Metric.PAUSE, "round=" + round, ms(next.nanos() - t0));
      add(Metric.STALE, "round=" + round, accepted);
      note(Metric.STALE, accepted + "/" + stale.size());
      if (!ended) {
        note(Metric.PAUSE, "round " + round + ": the woken instance still ran 20 s after SIGCONT");
      }
      if (c.isAlive(h) && !ended) {
        c.crash(h); // restarted by the next ensureReady
      }
    }

    void gracefulTrial(int round) {
      ensureReady();
      SingletonStarted host = running().orElseThrow();
      int h = host.node();
      c.allowExit(h);
      long t0 = System.nanoTime();
      ProcessHandle.of(c.pid(h)).orElseThrow().destroy(); // SIGTERM: CoordinatedShutdown runs
      SingletonStarted next = awaitNewStart(t0, h, Duration.ofSeconds(120));
      c.awaitExit(h, Duration.ofSeconds(90));
      add(Metric.GRACEFUL, "round=" + round, ms(next.nanos() - t0));
      Optional<SingletonStopped> stop = stopOf(host);
      if (stop.isPresent()) {
        add(Metric.GRACEFUL_GAP, "round=" + round, ms(next.nanos() - stop.get().nanos()));
      } else {
        note(Metric.GRACEFUL_GAP, "round " + round + ": the old instance reported no stop");
      }
    }

    // ---- values

    void add(Metric m, String label, double value) {
      values.computeIfAbsent(m, k -> new ArrayList<>()).add(value);
      String line = "TRIAL system=" + p.system() + " profile=" + p.profile() + " " + label
          + " metric=" + m.name() + " value=" + fmt(value) + " " + m.unit();
      trialLines.add(line);
      System.out.println(line);
    }

    void note(Metric m, String text) {
      extra.computeIfAbsent(m, k -> new ArrayList<>()).add(text);
    }

    void failed(String kind, Throwable e) {
      String msg = String.valueOf(e.getMessage());
      failures.computeIfAbsent(kind, k -> new ArrayList<>())
          .add(msg.length() > 160 ? msg.substring(0, 160) + "..." : msg);
    }

    void skipped(String kind, String why) {
      skips.computeIfAbsent(kind, k -> new ArrayList<>()).add(why);
    }

    Measurement measurement(Metric m) {
      List<Double> v = values.getOrDefault(m, List.of());
      String kind = kindOf(m);
      var parts = new ArrayList<String>();
      parts.add(v.size() + " " + m.per() + (v.size() == 1 ? "" : "s"));
      List<String> extras = extra.getOrDefault(m, List.of());
      if (m == Metric.SPURIOUS && o.load().on()) {
        parts.set(0, v.size() + " window" + (v.size() == 1 ? "" : "s") + " of "
            + o.load().window().toSeconds() + " s, no fault, all clusters at once");
        parts.addAll(extras);
      } else if (m == Metric.CRASH_LOAD && !extras.isEmpty()) {
        parts.add("p99 = max (nearest rank, n < 100)");
        parts.add("1-minute load average at each crash: " + String.join(", ", extras));
        parts.add("the quiet window's restart count saw the crash's restart in "
            + crashRestartsSeen + " of " + v.size());
      } else if (m == Metric.RESTART_UP_LOAD && v.isEmpty() && o.load().on()) {
        parts.add("no node restarted under load");
      } else if (m == Metric.LOST && !extras.isEmpty()) {
        parts.add("sent per trial " + String.join(", ", extras) + " (" + o.rate() + "/s)");
      } else if (m == Metric.STALE && !extras.isEmpty()) {
        parts.add("accepted/attempted per trial " + String.join(", ", extras)
            + (isRegent() ? "" : " (unfenced: Pekko gives no token)"));
      } else {
        parts.addAll(extras);
      }
      int requested = requested(kind);
      boolean loadKind = kind.endsWith("-load") || kind.equals("load-window");
      if (loadKind && !o.load().on()) {
        parts.add("loaded phase not run (--no-load)");
      } else if (requested == 0 && kind.equals("crash-load")
          && p.profile().equals(BenchProfiles.AT_LEAST_ONCE)) {
        parts.add("not run under load: its failover is Regent default's (only the proxy differs)");
      } else if (requested == 0 && kind.matches("crash|pause|graceful|crash-load")) {
        parts.add(o.mode().equals("smoke")
            ? "not run in smoke mode (about 47 s a trial)" : "no trials requested");
      }
      List<String> f = failures.getOrDefault(kind, List.of());
      if (!f.isEmpty()) {
        parts.add(f.size() + " failed (first: " + f.get(0) + ")");
      }
      List<String> s = skips.getOrDefault(kind, List.of());
      if (!s.isEmpty()) {
        parts.add(s.size() + " skipped (" + s.get(0) + ")");
      }
      return new Measurement(m.name(), m.unit(), m.higherIsBetter(), p.system(), p.profile(), v,
          String.join("; ", parts));
    }

    int requested(String kind) {
      return switch (kind) {
        case "crash" -> o.crashFor(p);
        case "pause" -> o.pauseFor(p);
        case "graceful" -> o.gracefulFor(p);
        case "throughput" -> o.rounds();
        case "crash-load" -> o.loadCrashFor(p);
        case "load-window" -> o.load().on() ? 1 : 0;
        default -> -1;
      };
    }
  }

  private static String kindOf(Metric m) {
    if (m == Metric.CRASH || m == Metric.LOST || m == Metric.DUPLICATES) {
      return "crash";
    } else if (m == Metric.PAUSE || m == Metric.STALE) {
      return "pause";
    } else if (m == Metric.GRACEFUL || m == Metric.GRACEFUL_GAP) {
      return "graceful";
    } else if (m == Metric.THROUGHPUT || m == Metric.ASK_P50 || m == Metric.ASK_P99) {
      return "throughput";
    } else if (m == Metric.IDLE_CPU) {
      return "idle";
    } else if (m == Metric.HEAP) {
      return "heap";
    } else if (m == Metric.START_UP) {
      return "start";
    } else if (m == Metric.CRASH_LOAD) {
      return "crash-load";
    } else if (m == Metric.SPURIOUS) {
      return "load-window";
    } else if (m == Metric.RESTART_UP_LOAD) {
      return "restart-load";
    }
    return "restart";
  }

  // -----------------------------------------------------------------------------------------------
  // Helpers

  private static double ms(long nanos) {
    return Math.round(nanos / 100_000.0) / 10.0;
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, Math.abs(v) < 10 ? "%.3f" : "%.1f", v);
  }

  /** How often the benchmark polls (as the harness polls its nodes). */
  private static final Duration POLL = Duration.ofMillis(100);

  /** Waits {@code d} by bounded polling. */
  private static void waitFor(String what, Duration d) {
    waitUntil(what, System.nanoTime() + d.toNanos());
  }

  private static void waitUntil(String what, long nanos) {
    long left = Math.max(0, nanos - System.nanoTime());
    Await.eventually(Duration.ofNanos(left).plusSeconds(5), POLL, what,
        () -> System.nanoTime() >= nanos);
  }

  /** Polls {@code condition} for up to {@code max}; whether it held. */
  private static boolean poll(Duration max, BooleanSupplier condition) {
    try {
      Await.eventually(max, POLL, "poll", condition);
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  private void phase(String name) {
    log("phase: " + name);
  }

  private void log(String s) {
    System.out.printf(Locale.ROOT, "BENCH %6.1fs %s%n", (System.nanoTime() - startNanos) / 1e9, s);
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
    } catch (IOException | RuntimeException e) {
      return "unknown CPU";
    }
  }
}
