package dev.regent.toolkit.internal.election;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Runs many seeds in parallel (each seed is single-threaded and deterministic). */
final class SimulationRunner {

  record Summary(long firstSeed, long count, long events, long simulatedNanos,
                 List<Simulation.Result> failures, long wallNanos,
                 Map<Simulation.Scenario, Long> scenarios, Map<String, Long> counters) {

    /** {@code {CHAOS=.., GROWTH=.., ...}}: every scenario with the number of schedules it got. */
    String scenarioCounts() {
      return scenarios.toString();
    }
  }

  private SimulationRunner() {}

  static Summary run(long firstSeed, long count, Simulation.Options options, int stopAfterFailures) {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    var next = new AtomicLong(firstSeed);
    var events = new AtomicLong();
    var simulated = new AtomicLong();
    var failures = new ArrayList<Simulation.Result>();
    var scenarios = new EnumMap<Simulation.Scenario, Long>(Simulation.emptyScenarioCounts());
    var counters = new TreeMap<String, Long>();
    var ran = new AtomicLong();
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
            ran.incrementAndGet();
            synchronized (failures) {
              scenarios.merge(r.scenario(), 1L, Long::sum);
              r.counters().forEach((k, v) -> counters.merge(k, v, Long::sum));
              if (!r.ok()) {
                failures.add(r);
              }
            }
          }
        }));
      }
      // Bounded, and long enough for long runs on a slow machine: every schedule has its own
      // budget of events and simulated time, so this only guards against a stuck pool. Thirty
      // minutes capped a 1,000,000-schedule run on a loaded machine (not a violation, a timeout).
      long minutes = Math.max(30, count / 10_000);
      for (Future<?> f : futures) {
        f.get(minutes, TimeUnit.MINUTES);
      }
    } catch (Exception e) {
      throw new IllegalStateException("simulation run failed", e);
    } finally {
      pool.shutdownNow();
    }
    failures.sort((a, b) -> Long.compare(a.seed(), b.seed()));
    return new Summary(firstSeed, ran.get(), events.get(), simulated.get(), failures,
        System.nanoTime() - start, scenarios, counters);
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
