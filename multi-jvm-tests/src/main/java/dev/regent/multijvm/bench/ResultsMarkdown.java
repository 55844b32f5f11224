package dev.regent.multijvm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code results.md}: a title, the environment as a list, the results table (one row per
 * measurement, the columns of the stdout table), the legend, and the failover chart
 * ({@code ![failover](failover.svg)}, next to it in the same folder).
 */
final class ResultsMarkdown {

  static final String FILE = "results.md";

  private ResultsMarkdown() {}

  static String render(BenchReport report) {
    StringBuilder md = new StringBuilder();
    md.append("# Failover benchmark: Regent vs Pekko Cluster Singleton\n\n");
    md.append("## Environment\n\n");
    if (report.environment().isEmpty()) {
      md.append("(not recorded)\n");
    }
    report.environment().forEach((k, v) -> md.append("- **").append(escape(k)).append("**: ")
        .append(escape(v)).append('\n'));
    md.append("\n## Results\n\n");
    row(md, ReportRow.HEADERS);
    md.append('|');
    for (boolean numeric : ReportRow.NUMERIC) {
      md.append(numeric ? " ---: |" : " --- |");
    }
    md.append('\n');
    for (ReportRow r : report.rows()) {
      row(md, r.cells());
    }
    md.append('\n');
    report.legend().forEach(line -> md.append(escape(line)).append("\n\n"));
    md.append("## Failover distributions\n\n");
    md.append("![failover](").append(FailoverChart.FILE).append(")\n");
    return md.toString();
  }

  static void write(BenchReport report, Path dir) {
    try {
      Files.writeString(dir.resolve(FILE), render(report));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
    }
  }

  private static void row(StringBuilder md, List<String> cells) {
    md.append('|');
    for (String cell : cells) {
      md.append(' ').append(escape(cell)).append(" |");
    }
    md.append('\n');
  }

  /** Text that Markdown shows as is: one line, Markdown's special characters backslashed. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").toCharArray()) {
      if ("\\`*_[]<>|#".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }
}
