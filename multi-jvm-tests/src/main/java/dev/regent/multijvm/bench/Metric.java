package dev.regent.multijvm.bench;

import java.util.List;

/**
 * The rows of the failover benchmark, in report order. docs/BENCHMARK.md says how each is measured.
 *
 * @param name the {@link Measurement#metric()} text
 * @param unit the {@link Measurement#unit()}
 * @param higherIsBetter as in {@link Measurement}
 * @param per what one value is: "trial", "node", "start" or "window"
 */
public record Metric(String name, String unit, boolean higherIsBetter, String per) {

  /** SIGKILL of the host's JVM → the new instance started on another node. */
  public static final Metric CRASH = new Metric("crash failover", "ms", false, "trial");
  /** Sent − processed of the 200/s stream through a surviving node's proxy during a crash trial. */
  public static final Metric LOST = new Metric("messages lost (crash)", "msgs", false, "trial");
  /**
   * Processed − distinct processed of the same stream: messages the singleton processed more than
   * once (at-least-once resends whose original had been processed).
   */
  public static final Metric DUPLICATES =
      new Metric("messages duplicated (crash)", "msgs", false, "trial");
  /** SIGSTOP of the host → the new instance started on another node. */
  public static final Metric PAUSE = new Metric("pause failover", "ms", false, "trial");
  /** Writes of the woken old instance after SIGCONT that the resource accepted. */
  public static final Metric STALE =
      new Metric("stale writes accepted (pause)", "writes", false, "trial");
  /** SIGTERM of the host → the new instance started on another node. */
  public static final Metric GRACEFUL = new Metric("graceful handover", "ms", false, "trial");
  /** The old instance stopped → the new instance started (SIGTERM trials). */
  public static final Metric GRACEFUL_GAP =
      new Metric("graceful stop-to-start", "ms", false, "trial");
  /** Messages per second through a non-host node's proxy, processed by the singleton. */
  public static final Metric THROUGHPUT = new Metric("proxy throughput", "msg/s", true, "trial");
  /** Median round trip of sequential asks through a non-host node's proxy. */
  public static final Metric ASK_P50 = new Metric("ask round-trip p50", "ms", false, "trial");
  /** 99th percentile of the same asks. */
  public static final Metric ASK_P99 = new Metric("ask round-trip p99", "ms", false, "trial");
  /** utime + stime of a node JVM over an idle window, in % of one core. */
  public static final Metric IDLE_CPU = new Metric("idle CPU per node", "%", false, "node");
  /** Heap in use per node JVM after a full GC. */
  public static final Metric HEAP = new Metric("heap used per node", "MiB", false, "node");
  /** Node JVM spawned → the node sees itself Up, when the cluster starts (3 JVMs together). */
  public static final Metric START_UP = new Metric("start to Up", "ms", false, "start");
  /** Node JVM spawned → Up, when a killed or stopped node rejoins the running cluster. */
  public static final Metric RESTART_UP = new Metric("restart to Up", "ms", false, "start");


  // The loaded phase (issue #15): a CPU hog in a separate JVM keeps the load average at least
  // twice the core count while these are measured.

  /**
   * Singleton restarts in a quiet window under load (no fault injected): per cluster and window,
   * the larger of the singleton starts and the singleton stops in the window, i.e. every
   * incarnation that lost its state or was started anew, whatever the cause (for Regent a
   * same-term or new-term restart, for Pekko a stop or a move). Goal 0.
   */
  public static final Metric SPURIOUS =
      new Metric("spurious singleton restarts under load", "restarts", false, "window");
  /** {@link #CRASH} with the CPU hog running. */
  public static final Metric CRASH_LOAD =
      new Metric("crash failover under load", "ms", false, "trial");
  /** {@link #RESTART_UP} for nodes restarted while the CPU hog runs (after a crash under load). */
  public static final Metric RESTART_UP_LOAD =
      new Metric("restart to Up under load", "ms", false, "start");

  public static List<Metric> all() {
    return List.of(CRASH, LOST, DUPLICATES, PAUSE, STALE, GRACEFUL, GRACEFUL_GAP, THROUGHPUT, ASK_P50,
        ASK_P99, IDLE_CPU, HEAP, START_UP, RESTART_UP, SPURIOUS, CRASH_LOAD, RESTART_UP_LOAD);
  }
}
