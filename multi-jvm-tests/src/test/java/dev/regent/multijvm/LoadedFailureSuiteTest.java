package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.CpuHog;
import dev.regent.multijvm.harness.LoadAverage;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The failure suite's loaded profile: every {@link FailureSuiteTest} scenario, unchanged, while a
 * {@link CpuHog} keeps the machine's cores over-subscribed (by default {@link
 * CpuHog#defaultThreads()} busy threads: a load average of at least twice the core count from the
 * hog alone). Each test prints the usual {@code MEASURED} lines, among them {@code MEASURED
 * same-term restarts: N} (goal 0), {@code MEASURED suspensions: N} and {@code MEASURED load:
 * average N}, and must pass the history checker as in the unloaded suite. Node logs go to
 * {@code target/node-logs/loaded-<test>/} and carry each node's GC pauses ({@code -Xlog:gc}).
 *
 * <p>Opt-in: runs only with {@code -Dregent.multijvm.load=on} (docs/MULTI-JVM.md, "The loaded
 * profile", says why it is not part of the default build). Busy threads:
 * {@code -Dregent.multijvm.load.threads=N}.
 *
 * <p>One hog for the whole class rather than one per test: the 1-minute load average follows a
 * change in load with a time constant of a minute, so a hog started per test would spend most of a
 * short test ramping up. The hog is started once, the suite waits (at most 2 min) until the load
 * average has reached twice the core count, and each test checks that the hog still runs. The hog
 * ends by itself after 30 min and is killed by pid after the last test.
 */
@EnabledIfSystemProperty(named = "regent.multijvm.load", matches = "on")
class LoadedFailureSuiteTest extends FailureSuiteTest {

  private static CpuHog hog;

  @BeforeAll
  static void startHog() {
    hog = startHogAndAwaitLoad();
  }

  /**
   * Starts a hog with {@code regent.multijvm.load.threads} (default {@link CpuHog#defaultThreads})
   * busy threads, ending by itself after 30 min, and waits (at most 2 min) until the 1-minute load
   * average has reached twice the core count. Also used by {@link LoadedChaosTest}.
   */
  static CpuHog startHogAndAwaitLoad() {
    int cores = Runtime.getRuntime().availableProcessors();
    int threads = Integer.getInteger("regent.multijvm.load.threads", CpuHog.defaultThreads());
    Path log = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target",
        "node-logs", "cpu-hog.log");
    CpuHog started = CpuHog.start(threads, Duration.ofMinutes(30), log);
    double reached = started.awaitLoad(2.0 * cores, Duration.ofMinutes(2));
    System.out.println("MEASURED load: cpu hog pid " + started.pid() + " with " + threads
        + " busy threads on " + cores + " cores; 1-minute load average before the first test: "
        + reached + " (1/5/15 min: " + LoadAverage.now() + ")");
    return started;
  }

  @BeforeEach
  void hogRuns() {
    assertTrue(hog != null && hog.isAlive(), "the cpu hog runs");
  }

  @AfterAll
  static void stopHog() {
    if (hog != null) {
      hog.close();
    }
  }
}
