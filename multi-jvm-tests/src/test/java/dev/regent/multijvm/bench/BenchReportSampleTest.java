package dev.regent.multijvm.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The demo: writes a report of synthetic results to {@code target/bench-report-sample/} and prints
 * its table, to look at the files by hand.
 */
class BenchReportSampleTest {

  @Test
  void writesTheSampleReport() throws Exception {
    BenchReport report = BenchReport.of(SampleMeasurements.fullRun(),
        SampleMeasurements.environment());
    Path dir = Path.of("target", "bench-report-sample");
    report.writeTo(dir);
    System.out.println(report.table());
    System.out.println("Sample report: " + dir.toAbsolutePath());
    for (String file : new String[] {"results.json", "results.md", "failover.svg"}) {
      assertTrue(Files.size(dir.resolve(file)) > 0, file);
    }
  }
}
