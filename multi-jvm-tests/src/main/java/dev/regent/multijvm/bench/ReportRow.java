package dev.regent.multijvm.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One row of the report: a {@link Measurement}, its {@link Stats}, and on a Regent row the
 * Regent/Pekko ratio of medians against the Pekko measurement of the same metric and profile.
 *
 * @param stats empty when the measurement has no (finite) values
 * @param nonFinite how many of the values were NaN or infinite and left out of {@code stats}
 * @param ratio Regent median ÷ Pekko median; only on a Regent row whose Pekko counterpart (same
 *     metric, profile and unit) has a non-zero median and both have values
 */
record ReportRow(Measurement measurement, Optional<Stats> stats, int nonFinite,
    OptionalDouble ratio) {

  /** The column headers, in the order of {@link #cells}. */
  static final List<String> HEADERS = List.of("metric", "profile", "system", "unit", "n", "min",
      "median", "p90", "p99", "max", "Regent/Pekko", "note");

  /** Which {@link #HEADERS} hold numbers (right-aligned). */
  static final List<Boolean> NUMERIC = List.of(false, false, false, false, true, true, true, true,
      true, true, true, false);

  /**
   * The rows for {@code measurements}: grouped by metric (in order of first appearance), then by
   * profile (likewise), then Regent before Pekko before any other system; measurements with the
   * same metric, profile and system keep their order.
   */
  static List<ReportRow> of(List<Measurement> measurements) {
    Map<String, Map<String, List<Measurement>>> groups = new LinkedHashMap<>();
    for (Measurement m : measurements) {
      groups.computeIfAbsent(m.metric(), k -> new LinkedHashMap<>())
          .computeIfAbsent(m.profile(), k -> new ArrayList<>()).add(m);
    }
    List<ReportRow> rows = new ArrayList<>();
    for (Map<String, List<Measurement>> byProfile : groups.values()) {
      for (List<Measurement> group : byProfile.values()) {
        List<Measurement> sorted = new ArrayList<>(group);
        sorted.sort(Comparator.comparingInt(ReportRow::systemRank));
        Optional<Measurement> pekko = sorted.stream()
            .filter(m -> m.system().equals(Measurement.PEKKO)).findFirst();
        for (Measurement m : sorted) {
          Optional<Stats> stats = Stats.of(m.values());
          OptionalDouble ratio = m.system().equals(Measurement.REGENT) && pekko.isPresent()
              ? ratio(m, stats, pekko.get()) : OptionalDouble.empty();
          rows.add(new ReportRow(m, stats, Stats.nonFinite(m.values()), ratio));
        }
      }
    }
    return List.copyOf(rows);
  }

  private static int systemRank(Measurement m) {
    return switch (m.system()) {
      case Measurement.REGENT -> 0;
      case Measurement.PEKKO -> 1;
      default -> 2;
    };
  }

  private static OptionalDouble ratio(Measurement regent, Optional<Stats> regentStats,
      Measurement pekko) {
    Optional<Stats> pekkoStats = Stats.of(pekko.values());
    if (regentStats.isEmpty() || pekkoStats.isEmpty() || !regent.unit().equals(pekko.unit())
        || pekkoStats.get().median() == 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(regentStats.get().median() / pekkoStats.get().median());
  }

  /** The note to show: the measurement's, plus what the report left out; never blank. */
  String note() {
    String note = measurement.note();
    if (nonFinite > 0) {
      String ignored = nonFinite + " non-finite value" + (nonFinite == 1 ? "" : "s") + " ignored";
      note = note.isBlank() ? ignored : note + "; " + ignored;
    }
    if (note.isBlank() && stats.isEmpty()) {
      return "no values";
    }
    return note;
  }

  /** The row's text, one cell per {@link #HEADERS} entry; {@link Formats#NONE} for no number. */
  List<String> cells() {
    Measurement m = measurement;
    String unit = m.unit();
    List<String> cells = new ArrayList<>(List.of(m.metric(), m.profile(), m.system(), unit,
        Integer.toString(stats.map(Stats::n).orElse(0))));
    if (stats.isPresent()) {
      Stats s = stats.get();
      for (double v : new double[] {s.min(), s.median(), s.p90(), s.p99(), s.max()}) {
        cells.add(Formats.value(unit, v));
      }
    } else {
      for (int i = 0; i < 5; i++) {
        cells.add(Formats.NONE);
      }
    }
    cells.add(ratio.isPresent() ? Formats.ratio(ratio.getAsDouble())
        : m.system().equals(Measurement.REGENT) ? Formats.NONE : "");
    cells.add(note());
    return cells;
  }
}
