package dev.regent.multijvm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writing a report again from its results.json ({@link BenchReport#read}).
 *
 * <ul>
 *   <li>{@link #committedResultsAreWhatTheWriterMakesOfTheirJson}: the files in docs/benchmark/
 *       (embedded by README and docs/BENCHMARK.md) are exactly what the current report writer
 *       makes of the committed results.json, so a change to the chart or the table shows up there;
 *   <li>{@link #redraw}: the tool, opt-in with {@code -Dregent.bench.redraw=DIR} (an absolute path;
 *       {@code ./bench.sh --redraw DIR}): rewrites results.json, results.md and failover.svg in
 *       DIR from DIR/results.json. Runs no benchmark.
 * </ul>
 */
class BenchReportRedrawTest {

  private static final Path COMMITTED = Path.of("..", "docs", "benchmark");
  private static final List<String> FILES = List.of("results.json", "results.md", "failover.svg");

  @TempDir
  Path tmp;

  @Test
  void aReportReadBackFromItsJsonWritesTheSameJson() throws Exception {
    BenchReport report = BenchReport.of(SampleMeasurements.fullRun(),
        SampleMeasurements.environment());
    report.writeTo(tmp.resolve("a"));
    BenchReport read = BenchReport.read(tmp.resolve("a/results.json"));
    assertEquals(report.environment(), read.environment());
    assertEquals(List.copyOf(report.environment().keySet()),
        List.copyOf(read.environment().keySet()));
    // In table order, as results.json lists them.
    assertEquals(report.rows().stream().map(ReportRow::measurement).toList(),
        read.measurements());
    read.writeTo(tmp.resolve("b"));
    for (String file : FILES) {
      assertEquals(Files.readString(tmp.resolve("a").resolve(file)),
          Files.readString(tmp.resolve("b").resolve(file)), file);
    }
  }

  @Test
  void committedResultsAreWhatTheWriterMakesOfTheirJson() throws Exception {
    assertTrue(Files.isRegularFile(COMMITTED.resolve("results.json")),
        COMMITTED.toAbsolutePath().toString());
    BenchReport.read(COMMITTED.resolve("results.json")).writeTo(tmp);
    for (String file : FILES) {
      assertEquals(Files.readString(tmp.resolve(file)),
          Files.readString(COMMITTED.resolve(file)),
          "docs/benchmark/" + file + " is stale: run ./bench.sh --redraw docs/benchmark");
    }
  }

  @Test
  @EnabledIfSystemProperty(named = "regent.bench.redraw", matches = ".+")
  void redraw() {
    Path dir = Path.of(System.getProperty("regent.bench.redraw"));
    BenchReport.read(dir.resolve("results.json")).writeTo(dir);
    System.out.println("BENCH report written again in " + dir.toAbsolutePath());
  }
}
