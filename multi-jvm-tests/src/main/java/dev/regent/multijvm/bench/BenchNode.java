package dev.regent.multijvm.bench;

import dev.regent.multijvm.harness.NodeContext;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The benchmark's side of a node JVM, shared by {@link RegentBenchSetup} and
 * {@link PekkoBenchSetup}: drives the singleton's proxy on this node when the runner asks over the
 * harness's control channel.
 *
 * <p>The requests are probes ({@code MultiJvmCluster.probe(i, name)}) that <em>act</em> when read;
 * each returns at once, long work runs on a thread of its own:
 *
 * <table>
 *   <caption>Probes</caption>
 *   <tr><td>{@value #LOAD_START}</td><td>starts sending {@link BenchSingleton.Seq} messages through
 *       the proxy at {@code regent.bench.rate} per second (default 200); returns the run id</td></tr>
 *   <tr><td>{@value #LOAD_STOP}</td><td>stops; returns {@code <run> <sent>}</td></tr>
 *   <tr><td>{@value #JOB_START}</td><td>starts a throughput and latency job (below)</td></tr>
 *   <tr><td>{@value #JOB_RESULT}</td><td>"" while it runs, then
 *       {@code OK <msg/s> <p50 µs> <p99 µs> <works lost>} or {@code FAILED <reason>}</td></tr>
 *   <tr><td>{@value #HEAP}</td><td>runs a full GC and returns the heap in use, in bytes</td></tr>
 *   <tr><td>{@value #WRITES_ON} / {@value #WRITES_OFF}</td><td>resume / pause the singleton's
 *       writes to the fenced resource on this node</td></tr>
 * </table>
 *
 * <p>The job: a warm-up (2,000 {@link BenchSingleton.Work} messages and 200 asks, not measured),
 * then {@code regent.bench.messages} (default 20,000) work messages in batches of {@value #BATCH},
 * each batch followed by a {@link BenchSingleton.Count} ask that returns when the singleton has
 * processed it (this bounds what is in flight, so Artery's send queue never overflows); throughput
 * = messages / time from the first send to the last reply. Then {@code regent.bench.asks} (default
 * 2,000) sequential {@link BenchSingleton.Ping} asks, each timed.
 */
public final class BenchNode {

  public static final String LOAD_START = "bench.load.start";
  public static final String LOAD_STOP = "bench.load.stop";
  public static final String JOB_START = "bench.job.start";
  public static final String JOB_RESULT = "bench.job.result";
  public static final String HEAP = "bench.heap";
  public static final String WRITES_ON = "bench.writes.on";
  public static final String WRITES_OFF = "bench.writes.off";

  static final int BATCH = 1000;
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static volatile boolean writes = true;

  private final ActorSystem<?> system;
  private final ActorRef<BenchSingleton.Command> proxy;
  private final int rate = Integer.getInteger("regent.bench.rate", 200);
  private final int messages = Integer.getInteger("regent.bench.messages", 20_000);
  private final int asks = Integer.getInteger("regent.bench.asks", 2_000);
  private final ScheduledExecutorService exec = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "regent-bench-driver");
    t.setDaemon(true);
    return t;
  });
  private Load load;
  private CompletableFuture<String> job;

  private BenchNode(ActorSystem<?> system, ActorRef<BenchSingleton.Command> proxy) {
    this.system = system;
    this.proxy = proxy;
  }

  /** Whether singletons on this node write to the fenced resource (on unless paused). */
  public static boolean writesEnabled() {
    return writes;
  }

  /** Registers the probes for {@code proxy}. */
  public static void install(NodeContext ctx, ActorRef<BenchSingleton.Command> proxy) {
    var node = new BenchNode(ctx.system(), proxy);
    ctx.probe(LOAD_START, node::startLoad);
    ctx.probe(LOAD_STOP, node::stopLoad);
    ctx.probe(JOB_START, node::startJob);
    ctx.probe(JOB_RESULT, node::jobResult);
    ctx.probe(HEAP, BenchNode::heapAfterGc);
    ctx.probe(WRITES_ON, () -> {
      writes = true;
      return "on";
    });
    ctx.probe(WRITES_OFF, () -> {
      writes = false;
      return "off";
    });
  }

  /** The node directory (where the received log lives) of a node whose state dir is given. */
  public static ReceivedLog receivedLog(NodeContext ctx) {
    return new ReceivedLog(ctx.stateDirectory().toAbsolutePath().getParent());
  }

  // ---------------------------------------------------------------------------------------------

  /** A steady stream of {@link BenchSingleton.Seq}: catches up to {@code rate × elapsed}. */
  private final class Load {
    final long run = System.nanoTime();
    final long start = System.nanoTime();
    final AtomicLong sent = new AtomicLong();
    final ScheduledFuture<?> task;

    Load() {
      task = exec.scheduleAtFixedRate(this::tick, 0, 5, TimeUnit.MILLISECONDS);
    }

    private void tick() {
      long due = (System.nanoTime() - start) * rate / 1_000_000_000L + 1;
      while (sent.get() < due) {
        proxy.tell(new BenchSingleton.Seq(run, sent.getAndIncrement()));
      }
    }
  }

  private synchronized String startLoad() {
    if (load != null) {
      load.task.cancel(false);
    }
    load = new Load();
    return Long.toString(load.run);
  }

  private synchronized String stopLoad() {
    if (load == null) {
      throw new IllegalStateException("no load runs");
    }
    load.task.cancel(false);
    // Wait for a tick that is running right now, so that "sent" is final.
    try {
      load.task.get(1, TimeUnit.SECONDS);
    } catch (Exception e) {
      // cancelled: expected
    }
    String r = load.run + " " + load.sent.get();
    load = null;
    return r;
  }

  private synchronized String startJob() {
    if (job != null && !job.isDone()) {
      throw new IllegalStateException("a job runs");
    }
    job = CompletableFuture.supplyAsync(this::throughputAndLatency, exec);
    return "started";
  }

  private synchronized String jobResult() {
    if (job == null || !job.isDone()) {
      return "";
    }
    try {
      return job.join();
    } catch (RuntimeException e) {
      return "FAILED " + (e.getCause() != null ? e.getCause() : e);
    }
  }

  private String throughputAndLatency() {
    sendWork(2_000);
    for (int i = 0; i < 200; i++) {
      ping();
    }
    long before = count();
    long t0 = System.nanoTime();
    sendWork(messages);
    long t1 = System.nanoTime();
    long after = count();
    double perSecond = messages / ((t1 - t0) / 1e9);
    long[] rtt = new long[asks];
    for (int i = 0; i < asks; i++) {
      rtt[i] = ping();
    }
    Arrays.sort(rtt);
    long lost = messages - (after - before);
    return String.format(java.util.Locale.ROOT, "OK %.1f %.1f %.1f %d", perSecond,
        percentile(rtt, 0.50) / 1e3, percentile(rtt, 0.99) / 1e3, lost);
  }

  /** Sends {@code n} work messages in batches, each acknowledged by a count ask. */
  private void sendWork(int n) {
    int sent = 0;
    while (sent < n) {
      int batch = Math.min(BATCH, n - sent);
      for (int i = 0; i < batch; i++) {
        proxy.tell(new BenchSingleton.Work(sent + i));
      }
      sent += batch;
      count();
    }
  }

  private long count() {
    return AskPattern.<BenchSingleton.Command, BenchSingleton.Counted>ask(proxy,
            BenchSingleton.Count::new, ASK_TIMEOUT, system.scheduler())
        .toCompletableFuture().join().works();
  }

  /** One ask round trip, in nanoseconds. */
  private long ping() {
    long t = System.nanoTime();
    AskPattern.<BenchSingleton.Command, BenchSingleton.Pong>ask(proxy,
            replyTo -> new BenchSingleton.Ping(t, replyTo), ASK_TIMEOUT, system.scheduler())
        .toCompletableFuture().join();
    return System.nanoTime() - t;
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static String heapAfterGc() {
    System.gc();
    return Long.toString(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
  }
}
