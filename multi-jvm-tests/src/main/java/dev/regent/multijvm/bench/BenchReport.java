package dev.regent.multijvm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The failover benchmark's report: a table (min, median, p90, p99, max and the Regent/Pekko ratio
 * of medians per metric and profile) for stdout, and files in a results folder:
 * {@code results.json}, {@code results.md} and {@code failover.svg} (the failover distributions,
 * embedded by README).
 *
 * <p>Rows are grouped by metric, then profile (each in order of first appearance), Regent before
 * Pekko. Statistics use nearest-rank percentiles over the finite values ({@link Stats}): every
 * number is an observed trial value, the median of an even count is the lower middle value, p90
 * of fewer than 10 values is the max, and p99 of fewer than 100 values is the max. The ratio
 * column, on the Regent row, is Regent's median divided by Pekko's; below 1× favours Regent for
 * lower-is-better metrics (times), above 1× for higher-is-better ones (throughput); a legend line
 * under the table says so. A measurement without values gets a row of "—" and its note. Numbers:
 * ms and rates (msg/s) as integers, % with one decimal, ratios with two significant digits.
 *
 * <p>{@link #writeTo} writes, in this order:
 *
 * <ul>
 *   <li>{@code results.json} (pretty-printed): the environment, the legend, and every measurement
 *       with its raw values, note, computed statistics ({@code null} without values) and ratio;
 *       layout in {@code ResultsJson};
 *   <li>{@code results.md}: the environment as a list, the same table in Markdown, the legend and
 *       {@code ![failover](failover.svg)};
 *   <li>{@code failover.svg}: one lane per system and profile for each failover or handover
 *       metric, a dot per trial and a bar at the median on a log time axis (see
 *       {@code FailoverChart}); plain SVG, its text drawn by the viewer.
 * </ul>
 *
 * <p>Contract shared by the benchmark runner and the report writer.
 */
public final class BenchReport {

  private final List<Measurement> measurements;
  private final Map<String, String> environment;

  private BenchReport(List<Measurement> measurements, Map<String, String> environment) {
    this.measurements = List.copyOf(measurements);
    // Keeps the caller's order (pass a LinkedHashMap): the environment is printed as given.
    Map<String, String> env = new LinkedHashMap<>();
    environment.forEach((k, v) -> env.put(Objects.requireNonNull(k, "environment key"),
        Objects.requireNonNull(v, () -> "environment value of " + k)));
    this.environment = Collections.unmodifiableMap(env);
  }

  /**
   * @param environment what the run was: machine, JVM, date, command, trial counts, profiles (each
   *     printed above the table and stored in the JSON and Markdown, in the map's order)
   */
  public static BenchReport of(List<Measurement> measurements, Map<String, String> environment) {
    return new BenchReport(measurements, environment);
  }

  /**
   * The report of an earlier run, from its {@code results.json}: {@code read(dir.resolve(
   * "results.json")).writeTo(dir)} writes that run's results.md and failover.svg again (and the
   * same results.json), e.g. after a change to the chart ({@code ./bench.sh --redraw DIR}).
   *
   * @throws java.io.UncheckedIOException if the file cannot be read or is not a results.json
   */
  public static BenchReport read(Path resultsJson) {
    return ResultsJson.read(resultsJson);
  }

  public List<Measurement> measurements() {
    return measurements;
  }

  public Map<String, String> environment() {
    return environment;
  }

  /**
   * The plain-text table for stdout: the environment ({@code key: value} lines), a blank line, the
   * aligned table (columns {@link ReportRow#HEADERS}), a blank line and the legend.
   */
  public String table() {
    StringBuilder out = new StringBuilder();
    int keyWidth = environment.keySet().stream().mapToInt(String::length).max().orElse(0);
    environment.forEach((k, v) -> out.append(k).append(':')
        .append(" ".repeat(keyWidth - k.length() + 1)).append(v.replace('\n', ' ')).append('\n'));
    if (!environment.isEmpty()) {
      out.append('\n');
    }
    out.append(TextTable.render(ReportRow.HEADERS, ReportRow.NUMERIC,
        rows().stream().map(ReportRow::cells).toList()));
    out.append('\n');
    legend().forEach(line -> out.append(line).append('\n'));
    return out.toString();
  }

  /**
   * Writes results.json, results.md and failover.svg into {@code dir} (created if missing),
   * replacing earlier files of those names.
   *
   * @throws java.io.UncheckedIOException if a file cannot be written
   */
  public void writeTo(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    ResultsJson.write(this, dir);
    ResultsMarkdown.write(this, dir);
    FailoverChart.write(rows(), dir);
  }

  /** The report's rows, in table order. */
  List<ReportRow> rows() {
    return ReportRow.of(measurements);
  }

  /** The lines under the table: how to read the ratio and the statistics. */
  List<String> legend() {
    List<String> higher = new ArrayList<>();
    for (Measurement m : measurements) {
      if (m.higherIsBetter() && !higher.contains(m.metric())) {
        higher.add(m.metric());
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add("Regent/Pekko = Regent's median ÷ Pekko's median (same metric and profile). Lower is "
        + "better, so below 1× favours Regent" + (higher.isEmpty() ? "."
            : ", except for " + String.join(", ", higher)
                + " (higher is better: above 1× favours Regent)."));
    lines.add("Statistics: nearest-rank percentiles over each row's trials (every number is an "
        + "observed value; the median of an even n is the lower middle value; p90 of n < 10 and "
        + "p99 of n < 100 are the max).");
    return lines;
  }
}
