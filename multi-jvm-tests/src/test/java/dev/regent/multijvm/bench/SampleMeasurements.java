package dev.regent.multijvm.bench;

import static dev.regent.multijvm.bench.Measurement.PEKKO;
import static dev.regent.multijvm.bench.Measurement.REGENT;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Synthetic benchmark results shaped like the real ones, for the report tests and the demo. */
final class SampleMeasurements {

  private SampleMeasurements() {}

  static Measurement ms(String metric, String system, String profile, String note,
      double... values) {
    return new Measurement(metric, "ms", false, system, profile, boxed(values), note);
  }

  static List<Double> boxed(double... values) {
    List<Double> list = new ArrayList<>();
    for (double v : values) {
      list.add(v);
    }
    return list;
  }

  /**
   * A full run: three failover metrics (crash, pause, graceful handover) for both systems and
   * profiles, a throughput metric (higher is better), a percentage, and one measurement without
   * trials. Deterministic (seeded).
   */
  static List<Measurement> fullRun() {
    Random random = new Random(42);
    List<Measurement> out = new ArrayList<>();
    for (String profile : List.of("default", "tuned")) {
      boolean tuned = profile.equals("tuned");
      out.add(ms("crash failover", REGENT, profile, "10 trials",
          spread(random, 10, tuned ? 900 : 1_600, 0.25)));
      out.add(ms("crash failover", PEKKO, profile, "10 trials",
          spread(random, 10, tuned ? 9_000 : 42_000, 0.2)));
      out.add(ms("pause failover", REGENT, profile, "10 trials, SIGSTOP 30 s",
          spread(random, 10, tuned ? 1_100 : 2_100, 0.3)));
      out.add(ms("pause failover", PEKKO, profile, "10 trials, SIGSTOP 30 s",
          spread(random, 10, tuned ? 11_000 : 55_000, 0.1)));
      out.add(ms("graceful handover", REGENT, profile, "10 trials",
          spread(random, 10, tuned ? 60 : 180, 0.4)));
      out.add(ms("graceful handover", PEKKO, profile, "10 trials",
          spread(random, 10, tuned ? 450 : 700, 0.3)));
    }
    out.add(new Measurement("throughput during failover", "msg/s", true, REGENT, "default",
        boxed(41_250.4, 39_980, 40_710.7), "3 trials (47 s each)"));
    out.add(new Measurement("throughput during failover", "msg/s", true, PEKKO, "default",
        boxed(37_100, 38_220.2, 36_900.9), "3 trials (47 s each)"));
    out.add(new Measurement("messages lost", "%", false, REGENT, "default",
        boxed(0.0, 0.04, 0.0), ""));
    out.add(new Measurement("messages lost", "%", false, PEKKO, "default",
        boxed(1.25, 0.8, 2.31), ""));
    out.add(new Measurement("partition failover", "ms", false, REGENT, "default", List.of(),
        "not run: needs root for iptables"));
    out.add(new Measurement("partition failover", "ms", false, PEKKO, "default", List.of(),
        "not run: needs root for iptables"));
    return out;
  }

  static Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("date", "2026-11-23T12:00:00Z");
    env.put("machine", "2 cores, 7.7 GiB (synthetic sample)");
    env.put("jvm", "OpenJDK 17.0.15");
    env.put("command", "mvn -pl multi-jvm-tests verify -Dtest='FailoverBenchmark*'");
    env.put("trials", "10 per failover metric, 3 for throughput");
    env.put("profiles", "default (Pekko SBR defaults), tuned (shorter failure detection)");
    return env;
  }

  /** {@code n} values around {@code center}, log-normally spread by about {@code sigma}. */
  private static double[] spread(Random random, int n, double center, double sigma) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = Math.round(center * Math.exp(random.nextGaussian() * sigma));
    }
    return values;
  }
}
