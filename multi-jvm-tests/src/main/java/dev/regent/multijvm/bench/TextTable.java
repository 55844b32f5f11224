package dev.regent.multijvm.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with aligned columns: a header line, a rule of dashes, then one line per row;
 * columns two spaces apart, numeric columns right-aligned, no trailing spaces. Widths count
 * {@code char}s, which is right for the report's text (ASCII, "×" and "—" are one column each).
 */
final class TextTable {

  private static final String GAP = "  ";

  private TextTable() {}

  /**
   * @param rightAligned per column, whether it is right-aligned
   * @param rows each as long as {@code headers}
   */
  static String render(List<String> headers, List<Boolean> rightAligned, List<List<String>> rows) {
    int columns = headers.size();
    int[] widths = new int[columns];
    List<List<String>> all = new ArrayList<>();
    all.add(headers);
    all.addAll(rows);
    for (List<String> row : all) {
      if (row.size() != columns) {
        throw new IllegalArgumentException("row has " + row.size() + " cells, not " + columns);
      }
      for (int c = 0; c < columns; c++) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    List<String> rule = new ArrayList<>();
    for (int width : widths) {
      rule.add("-".repeat(width));
    }
    StringBuilder out = new StringBuilder();
    line(out, headers, widths, rightAligned);
    line(out, rule, widths, rightAligned);
    for (List<String> row : rows) {
      line(out, row, widths, rightAligned);
    }
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells, int[] widths,
      List<Boolean> rightAligned) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      String cell = cells.get(c).replace('\n', ' ');
      String pad = " ".repeat(widths[c] - cell.length());
      if (c > 0) {
        line.append(GAP);
      }
      line.append(rightAligned.get(c) ? pad + cell : cell + pad);
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }
}
