package dev.regent.multijvm.bench;

import static dev.regent.multijvm.bench.Measurement.PEKKO;
import static dev.regent.multijvm.bench.Measurement.REGENT;
import static dev.regent.multijvm.bench.SampleMeasurements.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** results.json and results.md: what writeTo puts in the folder. */
class BenchReportFilesTest {

  @TempDir
  Path tmp;

  private Path written(BenchReport report) {
    Path dir = tmp.resolve("nested/results"); // does not exist yet
    report.writeTo(dir);
    return dir;
  }

  @Test
  void writeToCreatesTheFolderWithTheThreeFiles() throws Exception {
    Path dir = written(BenchReport.of(SampleMeasurements.fullRun(),
        SampleMeasurements.environment()));
    assertEquals(List.of("failover.svg", "results.json", "results.md"),
        Files.list(dir).map(p -> p.getFileName().toString()).sorted().toList());
  }

  @Test
  void jsonParsesBackWithTheEnvironmentRawValuesAndStatistics() throws Exception {
    BenchReport report = BenchReport.of(SampleMeasurements.fullRun(),
        SampleMeasurements.environment());
    String json = Files.readString(written(report).resolve("results.json"));
    assertTrue(json.startsWith("{\n  \"environment\""), "pretty-printed: " + json);
    JsonNode root = new ObjectMapper().readTree(json);

    Map<String, String> env = new LinkedHashMap<>();
    root.get("environment").properties().forEach(e -> env.put(e.getKey(),
        e.getValue().asText()));
    assertEquals(SampleMeasurements.environment(), env);
    assertEquals(List.copyOf(SampleMeasurements.environment().keySet()),
        List.copyOf(env.keySet()), "environment order");
    assertEquals(report.legend().get(0), root.get("legend").get(0).asText());

    JsonNode measurements = root.get("measurements");
    List<ReportRow> rows = report.rows();
    assertEquals(rows.size(), measurements.size());
    for (int i = 0; i < rows.size(); i++) {
      Measurement m = rows.get(i).measurement();
      JsonNode node = measurements.get(i);
      assertEquals(m.metric(), node.get("metric").asText());
      assertEquals(m.unit(), node.get("unit").asText());
      assertEquals(m.higherIsBetter(), node.get("higherIsBetter").asBoolean());
      assertEquals(m.system(), node.get("system").asText());
      assertEquals(m.profile(), node.get("profile").asText());
      assertEquals(m.note(), node.get("note").asText());
      List<Double> values = new ArrayList<>();
      node.get("values").forEach(v -> values.add(v.asDouble()));
      assertEquals(m.values(), values, "raw values of " + m);
      JsonNode stats = node.get("stats");
      if (rows.get(i).stats().isPresent()) {
        Stats s = rows.get(i).stats().get();
        assertEquals(s, new Stats(stats.get("n").asInt(), stats.get("min").asDouble(),
            stats.get("median").asDouble(), stats.get("p90").asDouble(),
            stats.get("p99").asDouble(),
            stats.get("max").asDouble()));
      } else {
        assertTrue(stats.isNull(), "no stats for " + m);
        assertTrue(m.values().isEmpty());
      }
      JsonNode ratio = node.get("regentOverPekko");
      assertEquals(rows.get(i).ratio().isPresent(), !ratio.isNull(), "ratio of " + m);
      if (!ratio.isNull()) {
        assertEquals(rows.get(i).ratio().getAsDouble(), ratio.asDouble(), 0);
      }
    }
    // One known entry in full: the sample's Regent throughput.
    JsonNode throughput = measurements.get(12);
    assertEquals("throughput during failover", throughput.get("metric").asText());
    assertEquals(REGENT, throughput.get("system").asText());
    assertEquals(40_710.7, throughput.get("stats").get("median").asDouble(), 0);
    assertEquals(40_710.7 / 37_100, throughput.get("regentOverPekko").asDouble(), 1e-12);
  }

  @Test
  void jsonKeepsNonFiniteValuesReadably() throws Exception {
    BenchReport report = BenchReport.of(List.of(ms("crash failover", REGENT, "default", "",
        120, Double.NaN)), Map.of());
    JsonNode node = new ObjectMapper().readTree(written(report).resolve("results.json")
        .toFile()).get("measurements").get(0);
    assertEquals("NaN", node.get("values").get(1).asText());
    assertEquals(1, node.get("nonFiniteValues").asInt());
    assertEquals(1, node.get("stats").get("n").asInt());
  }

  @Test
  void markdownHasTheEnvironmentAHeaderRowAndOneRowPerMeasurement() throws Exception {
    List<Measurement> run = new ArrayList<>(SampleMeasurements.fullRun());
    run.add(ms("odd | metric", PEKKO, "default", "a *note* with | a pipe", 5));
    BenchReport report = BenchReport.of(run, SampleMeasurements.environment());
    String md = Files.readString(written(report).resolve("results.md"));
    List<String> lines = md.lines().toList();

    assertEquals("# Failover benchmark: Regent vs Pekko Cluster Singleton", lines.get(0));
    assertTrue(md.contains("- **machine**: 2 cores, 7.7 GiB (synthetic sample)\n"), md);
    assertTrue(md.contains("- **command**: mvn -pl multi-jvm-tests verify "
        + "-Dtest='FailoverBenchmark\\*'\n"), md);

    List<String> table = lines.stream().filter(l -> l.startsWith("|")).toList();
    assertEquals(2 + run.size(), table.size(), md);
    assertEquals("| metric | profile | system | unit | n | min | median | p90 | p99 | max "
        + "| Regent/Pekko | note |", table.get(0));
    assertEquals("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        + "| --- |", table.get(1));
    List<ReportRow> rows = report.rows();
    for (int i = 0; i < rows.size(); i++) {
      List<String> cells = rows.get(i).cells().stream().map(ResultsMarkdown::escape).toList();
      assertEquals("| " + String.join(" | ", cells) + " |", table.get(2 + i));
    }
    assertTrue(table.contains("| crash failover | default | Regent | ms | 10 | 1128 | 1525 "
        + "| 2129 | 2320 | 2320 | 0.037× | 10 trials |"), md);
    assertTrue(table.contains("| partition failover | default | Pekko | ms | 0 | — | — | — | — "
        + "| — |  | not run: needs root for iptables |"), md);
    // A pipe inside a cell must not split it: 13 unescaped pipes around 12 cells, 14 parts.
    String odd = table.get(table.size() - 1);
    assertEquals(14, odd.split("(?<!\\\\)\\|", -1).length, odd);
    assertTrue(odd.contains("odd \\| metric") && odd.contains("a \\*note\\* with \\| a pipe"));

    assertTrue(md.contains("Regent/Pekko = Regent's median ÷ Pekko's median"), md);
    assertTrue(md.contains("\n![failover](failover.svg)\n"), md);
    assertFalse(md.contains("\r"));
  }
}
