package dev.regent.multijvm.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The failover benchmark's report: a table (min, median, p90, max and the Regent/Pekko ratio of
 * medians per metric and profile) for stdout, and files in a results folder: {@code results.json},
 * {@code results.md} and {@code failover.png} (the failover distributions, embedded by README).
 *
 * <p>Contract shared by the benchmark runner and the report writer; the implementation is being
 * written (issue #8).
 */
public final class BenchReport {

  private final List<Measurement> measurements;
  private final Map<String, String> environment;

  private BenchReport(List<Measurement> measurements, Map<String, String> environment) {
    this.measurements = List.copyOf(measurements);
    this.environment = Map.copyOf(environment);
  }

  /**
   * @param environment what the run was: machine, JVM, date, command, trial counts, profiles (each
   *     printed above the table and stored in the JSON and Markdown)
   */
  public static BenchReport of(List<Measurement> measurements, Map<String, String> environment) {
    return new BenchReport(measurements, environment);
  }

  public List<Measurement> measurements() {
    return measurements;
  }

  public Map<String, String> environment() {
    return environment;
  }

  /** The plain-text table for stdout. */
  public String table() {
    throw new UnsupportedOperationException("BenchReport.table is not written yet");
  }

  /** Writes results.json, results.md and failover.png into {@code dir} (created if missing). */
  public void writeTo(Path dir) {
    throw new UnsupportedOperationException("BenchReport.writeTo is not written yet");
  }
}
