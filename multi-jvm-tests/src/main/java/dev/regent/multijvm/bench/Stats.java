package dev.regent.multijvm.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Summary of one {@link Measurement}'s trials: count, min, median, 90th and 99th percentile, and
 * max.
 *
 * <p>Percentiles use the <b>nearest-rank</b> method: the p-th percentile of n sorted values
 * {@code v[1] <= ... <= v[n]} is {@code v[ceil(p / 100 * n)]} (and {@code v[1]} for p = 0). So
 * every statistic is one of the observed trial values, never an interpolation:
 *
 * <ul>
 *   <li>the median (p50) of an even number of values is the <em>lower</em> of the two middle values
 *       (of 4 values, the 2nd);
 *   <li>p90 is the max for fewer than 10 values (of 10 values, the 9th; of 20, the 18th);
 *   <li>p99 is the max for fewer than 100 values (of 100 values, the 99th): with the benchmark's
 *       trial counts it always is, and says "the worst trial" (the under-load crash row reports
 *       p50 and p99 as issue #15 asks);
 *   <li>for n = 1, min = median = p90 = p99 = max.
 * </ul>
 *
 * <p>Only finite values count: NaN and infinities (a runner bug, not a measurement) are left out
 * ({@link #nonFinite} counts them).
 *
 * @param n how many (finite) values the statistics cover
 */
public record Stats(int n, double min, double median, double p90, double p99, double max) {

  /** The statistics of {@code values}; empty when none of them is finite. */
  public static Optional<Stats> of(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite)
        .sorted().toArray();
    if (sorted.length == 0) {
      return Optional.empty();
    }
    return Optional.of(new Stats(sorted.length, sorted[0],
        percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99),
        sorted[sorted.length - 1]));
  }

  /** How many non-finite values {@code values} holds (those {@link #of} leaves out). */
  public static int nonFinite(List<Double> values) {
    return (int) values.stream().filter(v -> !Double.isFinite(v)).count();
  }

  /**
   * The nearest-rank {@code p}-th percentile of {@code sorted} (ascending, non-empty):
   * {@code sorted[ceil(p / 100 * n) - 1]}, or {@code sorted[0]} for p = 0.
   *
   * @param p in [0, 100]
   */
  public static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    if (!(p >= 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile out of [0, 100]: " + p);
    }
    if (sorted.length > 1 && sorted[0] > sorted[sorted.length - 1]) {
      throw new IllegalArgumentException("not sorted: " + Arrays.toString(sorted));
    }
    // p / 100 * n in exact-ish arithmetic: p * n / 100, so that 90 * 10 / 100 is exactly 9.
    int rank = (int) Math.ceil(p * sorted.length / 100.0);
    return sorted[Math.max(rank, 1) - 1];
  }
}
