package dev.regent.toolkit.election;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Runs many seeds in parallel (each seed is single-threaded and deterministic). */
final class SimulationRunner {

  record Summary(long firstSeed, long count, long events, long simulatedNanos,
                 List<Simulation.Result> failures, long wallNanos) {}

  private SimulationRunner() {}

  static Summary run(long firstSeed, long count, Simulation.Options options, int stopAfterFailures) {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    var next = new AtomicLong(firstSeed);
    var events = new AtomicLong();
    var simulated = new AtomicLong();
    var failures = new ArrayList<Simulation.Result>();
    long start = System.nanoTime();
    long end = firstSeed + count;
    try {
      var futures = new ArrayList<Future<?>>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          while (true) {
            synchronized (failures) {
              if (failures.size() >= stopAfterFailures) {
                return;
              }
            }
            long seed = next.getAndIncrement();
            if (seed >= end) {
              return;
            }
            Simulation.Result r = Simulation.run(seed, options);
            events.addAndGet(r.events());
            simulated.addAndGet(r.simulatedNanos());
            if (!r.ok()) {
              synchronized (failures) {
                failures.add(r);
              }
            }
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.MINUTES);
      }
    } catch (Exception e) {
      throw new IllegalStateException("simulation run failed", e);
    } finally {
      pool.shutdownNow();
    }
    failures.sort((a, b) -> Long.compare(a.seed(), b.seed()));
    long ran = Math.min(next.get(), end) - firstSeed;
    return new Summary(firstSeed, ran, events.get(), simulated.get(), failures,
        System.nanoTime() - start);
  }

  /** The seed, the violation and the tail of a replayed trace: enough to debug from. */
  static String report(Simulation.Result failure, Simulation.Options options) {
    Simulation.Result replay = Simulation.run(failure.seed(), options.traced());
    var sb = new StringBuilder();
    sb.append("seed ").append(failure.seed()).append(" (").append(failure.scenario())
        .append(", ").append(failure.nodes()).append(" nodes): ")
        .append(failure.violations()).append('\n');
    sb.append("replay with -Dregent.sim.seed=").append(failure.seed())
        .append(" -Dregent.sim.schedules=1; replay ")
        .append(replay.violations().equals(failure.violations()) ? "identical" : "DIFFERS")
        .append('\n');
    List<String> t = replay.trace();
    int from = Math.max(0, t.size() - 80);
    if (from > 0) {
      sb.append("... ").append(from).append(" earlier trace lines\n");
    }
    for (String line : t.subList(from, t.size())) {
      sb.append(line).append('\n');
    }
    return sb.toString();
  }
}
