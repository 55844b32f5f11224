package dev.regent.multijvm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code results.json}: pretty-printed, for scripts and later comparison.
 *
 * <pre>{@code
 * {
 *   "environment": { "<key>": "<value>", ... },          // in the report's order
 *   "legend": [ "<how to read the ratio>", "<statistics method>" ],
 *   "measurements": [                                  // in table order
 *     { "metric": "crash failover", "unit": "ms", "higherIsBetter": false,
 *       "system": "Regent", "profile": "default",
 *       "values": [ 1525.0, ... ],                     // raw, in trial order
 *       "note": "10 trials",
 *       "stats": { "n": 10, "min": ..., "median": ..., "p90": ..., "p99": ..., "max": ... },
 *                                                  // or null
 *       "nonFiniteValues": 0,
 *       "regentOverPekko": 0.037 },                    // Regent rows with a ratio, else null
 *     ... ] }
 * }</pre>
 *
 * <p>Non-finite raw values (if a runner ever passes one) are written as the strings
 * {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}, Jackson's default.
 *
 * <p>{@link #read} takes a report back from such a file (the environment and the measurements;
 * legend, statistics and ratios are computed again), to write the report files again from an
 * earlier run.
 */
final class ResultsJson {

  static final String FILE = "results.json";

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private ResultsJson() {}

  static ObjectNode tree(BenchReport report) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode env = root.putObject("environment");
    report.environment().forEach(env::put);
    ArrayNode legend = root.putArray("legend");
    report.legend().forEach(legend::add);
    ArrayNode measurements = root.putArray("measurements");
    for (ReportRow row : report.rows()) {
      Measurement m = row.measurement();
      ObjectNode node = measurements.addObject();
      node.put("metric", m.metric());
      node.put("unit", m.unit());
      node.put("higherIsBetter", m.higherIsBetter());
      node.put("system", m.system());
      node.put("profile", m.profile());
      ArrayNode values = node.putArray("values");
      m.values().forEach(values::add);
      node.put("note", m.note());
      if (row.stats().isPresent()) {
        Stats s = row.stats().get();
        ObjectNode stats = node.putObject("stats");
        stats.put("n", s.n());
        stats.put("min", s.min());
        stats.put("median", s.median());
        stats.put("p90", s.p90());
        stats.put("p99", s.p99());
        stats.put("max", s.max());
      } else {
        node.putNull("stats");
      }
      node.put("nonFiniteValues", row.nonFinite());
      if (row.ratio().isPresent()) {
        node.put("regentOverPekko", row.ratio().getAsDouble());
      } else {
        node.putNull("regentOverPekko");
      }
    }
    return root;
  }

  /**
   * The report that wrote {@code file}.
   *
   * @throws UncheckedIOException if the file cannot be read or is not a results.json
   */
  static BenchReport read(Path file) {
    try {
      JsonNode root = MAPPER.readTree(file.toFile());
      Map<String, String> env = new LinkedHashMap<>();
      root.required("environment").properties()
          .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
      List<Measurement> measurements = new ArrayList<>();
      for (JsonNode node : root.required("measurements")) {
        List<Double> values = new ArrayList<>();
        for (JsonNode v : node.required("values")) {
          values.add(v.isNumber() ? v.asDouble() : Double.parseDouble(v.asText()));
        }
        measurements.add(new Measurement(node.required("metric").asText(),
            node.required("unit").asText(), node.required("higherIsBetter").asBoolean(),
            node.required("system").asText(), node.required("profile").asText(), values,
            node.path("note").asText("")));
      }
      return BenchReport.of(measurements, env);
    } catch (IOException | IllegalArgumentException e) {
      throw new UncheckedIOException("cannot read " + file,
          e instanceof IOException io ? io : new IOException(e.getMessage(), e));
    }
  }

  static void write(BenchReport report, Path dir) {
    try {
      Files.writeString(dir.resolve(FILE), MAPPER.writeValueAsString(tree(report)) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
    }
  }
}
