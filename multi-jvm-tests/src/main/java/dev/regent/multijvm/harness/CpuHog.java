package dev.regent.multijvm.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded CPU hog in a separate JVM ({@link CpuHogMain}): {@code threads} threads that spin
 * without sleeping, to run tests on a machine whose cores are over-subscribed (late timers, late
 * message processing, as on a busy CI machine or a throttled container).
 *
 * <pre>{@code
 * try (var hog = CpuHog.start(CpuHog.defaultThreads(), Duration.ofMinutes(10))) {
 *   hog.awaitLoad(2.0 * Runtime.getRuntime().availableProcessors(), Duration.ofSeconds(90));
 *   ... run a scenario; print LoadAverage.now() with what it measured ...
 * }
 * }</pre>
 *
 * <p>It never outlives its test: the process ends by itself after {@code maxDuration};
 * {@link #close} SIGKILLs it by pid and waits until it is gone; a shutdown hook of the test JVM
 * kills every hog still running; and the hog halts by itself when the test JVM is gone (end-of-file
 * on its stdin, which the harness keeps open, or its parent no longer alive). Its main class name,
 * {@code CpuHogMain}, is distinct from the nodes' so that CI can check that none is left.
 */
public final class CpuHog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CpuHog.class);

  /** Every hog process of this JVM that may still run. */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (Process p : LIVE) {
        p.destroyForcibly();
      }
    }, "regent-cpu-hog-reaper"));
  }

  private final Process process;
  private final OutputStream stdin;
  private final int threads;

  private CpuHog(Process process, int threads) {
    this.process = process;
    this.stdin = process.getOutputStream();
    this.threads = threads;
  }

  /**
   * Busy threads for a load average of at least twice the core count from the hog alone: twice
   * the available processors, plus two.
   */
  public static int defaultThreads() {
    return 2 * Runtime.getRuntime().availableProcessors() + 2;
  }

  /** Starts a hog of {@code threads} busy threads that ends by itself after {@code maxDuration}. */
  public static CpuHog start(int threads, Duration maxDuration) {
    return start(threads, maxDuration, null);
  }

  /**
   * As {@link #start(int, Duration)}, with the hog's two lines of output (start, end) appended to
   * {@code logFile} (discarded when null).
   */
  public static CpuHog start(int threads, Duration maxDuration, Path logFile) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1");
    }
    if (maxDuration.isNegative() || maxDuration.isZero()) {
      throw new IllegalArgumentException("maxDuration must be positive");
    }
    var cmd = List.of(MultiJvmCluster.javaBinary(), "-Xmx16m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", ownClassPath(), CpuHogMain.class.getName(),
        Integer.toString(threads), Long.toString(maxDuration.toMillis()));
    var pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    try {
      if (logFile != null) {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      } else {
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      }
      Process p = pb.start();
      LIVE.add(p);
      p.onExit().thenAccept(LIVE::remove);
      log.info("cpu hog started: pid {}, {} busy threads, ends by itself after {} ms", p.pid(),
          threads, maxDuration.toMillis());
      return new CpuHog(p, threads);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the cpu hog", e);
    }
  }

  /** The directory or jar this class was loaded from: all the hog's JVM needs. */
  private static String ownClassPath() {
    try {
      return Path.of(CpuHogMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public int threads() {
    return threads;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits, polling every 500 ms, until the 1-minute load average is at least {@code target}, at
   * most {@code timeout} (the average follows a step in load with a time constant of one minute:
   * from idle to the hog's level takes about a minute). Does not fail when it is not reached: a
   * test prints the load it ran at.
   *
   * @return the 1-minute load average reached (NaN off Linux)
   */
  public double awaitLoad(double target, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    double load = LoadAverage.oneMinute();
    while (!(load >= target) && !Double.isNaN(load) && System.nanoTime() < deadline
        && process.isAlive()) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      load = LoadAverage.oneMinute();
    }
    if (!(load >= target)) {
      log.warn("cpu hog: 1-minute load average {} after {} ms, below the target {}", load,
          timeout.toMillis(), target);
    }
    return load;
  }

  /** SIGKILLs the hog by pid (if it still runs) and waits until it is gone. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("cpu hog pid " + process.pid() + " still runs 30 s after"
            + " SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        stdin.close();
      } catch (IOException e) {
        log.debug("closing the cpu hog's stdin failed", e);
      }
    }
    LIVE.remove(process);
    log.info("cpu hog pid {} stopped", process.pid());
  }
}
