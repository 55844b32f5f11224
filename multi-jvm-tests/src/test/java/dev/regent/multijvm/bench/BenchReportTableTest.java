package dev.regent.multijvm.bench;

import static dev.regent.multijvm.bench.Measurement.PEKKO;
import static dev.regent.multijvm.bench.Measurement.REGENT;
import static dev.regent.multijvm.bench.SampleMeasurements.boxed;
import static dev.regent.multijvm.bench.SampleMeasurements.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Row order, the ratio's direction, empty rows, and the stdout table's text. */
class BenchReportTableTest {

  private static final Map<String, String> ENV = new LinkedHashMap<>(Map.of("jvm", "17"));

  private static Measurement throughput(String system, double... values) {
    return new Measurement("throughput", "msg/s", true, system, "default", boxed(values), "");
  }

  @Test
  void rowsAreGroupedByMetricThenProfileWithRegentFirst() {
    List<Measurement> in = List.of(
        ms("crash failover", PEKKO, "default", "", 5000),
        ms("graceful handover", REGENT, "tuned", "", 50),
        ms("crash failover", PEKKO, "tuned", "", 4000),
        ms("crash failover", REGENT, "tuned", "", 400),
        ms("crash failover", REGENT, "default", "", 500));
    List<String> order = ReportRow.of(in).stream()
        .map(r -> r.measurement().metric() + "/" + r.measurement().profile() + "/"
            + r.measurement().system())
        .toList();
    assertEquals(List.of("crash failover/default/Regent", "crash failover/default/Pekko",
        "crash failover/tuned/Regent", "crash failover/tuned/Pekko",
        "graceful handover/tuned/Regent"), order);
  }

  @Test
  void ratioIsRegentMedianOverPekkoMedianOnTheRegentRowOnly() {
    List<ReportRow> rows = ReportRow.of(List.of(
        ms("crash failover", REGENT, "default", "", 100, 120, 90),
        ms("crash failover", PEKKO, "default", "", 5000, 6000, 4000)));
    // Lower is better: 100 / 5000 = 0.02, below 1 so Regent is better.
    assertEquals(0.02, rows.get(0).ratio().getAsDouble(), 1e-12);
    assertEquals("0.020×", rows.get(0).cells().get(10));
    assertTrue(rows.get(1).ratio().isEmpty());
    assertEquals("", rows.get(1).cells().get(10));
  }

  @Test
  void ratioOfAHigherIsBetterMetricIsAboveOneWhenRegentIsBetter() {
    List<ReportRow> rows = ReportRow.of(List.of(
        throughput(PEKKO, 30_000, 32_000, 31_000),
        throughput(REGENT, 40_000, 45_000, 44_000)));
    assertEquals(REGENT, rows.get(0).measurement().system());
    assertEquals(44_000.0 / 31_000, rows.get(0).ratio().getAsDouble(), 1e-12);
    assertEquals("1.4×", rows.get(0).cells().get(10));

    String table = BenchReport.of(List.of(throughput(REGENT, 1), throughput(PEKKO, 2)), ENV)
        .table();
    assertTrue(table.contains("except for throughput (higher is better: above 1× favours "
        + "Regent)"), table);
  }

  @Test
  void noRatioWithoutACounterpartOrWithAZeroOrEmptyPekkoMedianOrOtherUnits() {
    assertTrue(ReportRow.of(List.of(ms("m", REGENT, "default", "", 1))).get(0).ratio().isEmpty());
    assertTrue(ReportRow.of(List.of(ms("m", REGENT, "default", "", 1),
        ms("m", PEKKO, "default", "", 0))).get(0).ratio().isEmpty());
    assertTrue(ReportRow.of(List.of(ms("m", REGENT, "default", "", 1),
        ms("m", PEKKO, "default", "not run"))).get(0).ratio().isEmpty());
    assertTrue(ReportRow.of(List.of(ms("m", REGENT, "default", "", 1),
        new Measurement("m", "s", false, PEKKO, "default", boxed(2), ""))).get(0).ratio()
        .isEmpty());
    assertEquals("—", ReportRow.of(List.of(ms("m", REGENT, "default", "", 1))).get(0).cells()
        .get(10));
  }

  @Test
  void emptyMeasurementIsARowOfDashesWithItsNote() {
    List<String> cells = ReportRow.of(List.of(
        ms("partition failover", PEKKO, "default", "not run: needs root"))).get(0).cells();
    assertEquals(List.of("partition failover", "default", "Pekko", "ms", "0", "—", "—", "—", "—",
        "—", "", "not run: needs root"), cells);
    assertEquals("no values",
        ReportRow.of(List.of(ms("x", PEKKO, "default", ""))).get(0).cells().get(11));
  }

  @Test
  void nonFiniteValuesAreLeftOutAndSaidSo() {
    ReportRow row = ReportRow.of(List.of(ms("x", REGENT, "default", "2 trials", 7, Double.NaN)))
        .get(0);
    assertEquals(List.of("x", "default", "Regent", "ms", "1", "7", "7", "7", "7", "7", "—",
        "2 trials; 1 non-finite value ignored"), row.cells());
  }

  @Test
  void tableStartsWithTheEnvironmentAndHasOneAlignedLinePerMeasurement() {
    List<Measurement> run = SampleMeasurements.fullRun();
    BenchReport report = BenchReport.of(run, SampleMeasurements.environment());
    String table = report.table();
    List<String> lines = table.lines().toList();

    // Environment first, in the given order, values aligned.
    List<String> keys = List.copyOf(SampleMeasurements.environment().keySet());
    for (int i = 0; i < keys.size(); i++) {
      assertTrue(lines.get(i).startsWith(keys.get(i) + ":"), lines.get(i));
      assertEquals(lines.get(0).indexOf("2026"), lines.get(i).indexOf(
          SampleMeasurements.environment().get(keys.get(i))), lines.get(i));
    }
    assertEquals("", lines.get(keys.size()));
    String header = lines.get(keys.size() + 1);
    assertTrue(header.matches("metric +profile +system +unit +n +min +median +p90 +p99 +max "
        + "+Regent/Pekko +note"), header);
    assertTrue(lines.get(keys.size() + 2).matches("-+( +-+){11}"), lines.get(keys.size() + 2));

    List<String> body = lines.subList(keys.size() + 3, keys.size() + 3 + run.size());
    int medianEnd = header.indexOf("median") + "median".length();
    for (ReportRow row : report.rows()) {
      List<String> cells = row.cells();
      String expected = String.join(" +", cells.stream()
          .filter(c -> !c.isEmpty()).map(java.util.regex.Pattern::quote).toList());
      long matching = body.stream().filter(l -> l.matches(" *" + expected)).count();
      assertEquals(1, matching, "one line for " + cells + " in\n" + table);
    }
    for (String line : body) {
      // Right-aligned numbers: every median ends under the header's "median".
      assertTrue(line.length() >= medianEnd, line);
      assertTrue(line.charAt(medianEnd - 1) != ' ', "median column misaligned: " + line);
    }
    // Known numbers of the sample: Regent's throughput median is 40710.7 (nearest rank of 3).
    assertTrue(body.stream().anyMatch(l -> l.startsWith("throughput during failover")
        && l.contains("Regent")
        && l.matches(".* 39980 +40711 +41250 +41250 +41250 +1\\.1× .*")),
        table);
    assertTrue(body.stream().anyMatch(l -> l.startsWith("messages lost")
        && l.contains("Pekko") && l.matches(".* 0\\.8 +1\\.3 +2\\.3 +2\\.3 +2\\.3")), table);
    assertTrue(lines.get(lines.size() - 2).startsWith("Regent/Pekko = Regent's median"));
    assertTrue(lines.get(lines.size() - 1).startsWith("Statistics: nearest-rank"));
    assertTrue(Arrays.stream(table.split("\n")).noneMatch(l -> l.endsWith(" ")));
  }
}
