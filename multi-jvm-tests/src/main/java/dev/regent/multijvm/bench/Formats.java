package dev.regent.multijvm.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * How the report writes numbers: by unit for measured values, two significant digits for ratios,
 * and milliseconds or seconds for durations on the chart. Locale-independent (a dot for decimals,
 * no grouping), so the table reads the same on every machine.
 */
final class Formats {

  /** Shown where there is no number: no trials, or no ratio. */
  static final String NONE = "—";

  private Formats() {}

  /**
   * {@code v} in {@code unit}: integers for rates ({@code msg/s}, anything per second); one decimal
   * for {@code %}; otherwise, durations included, three significant digits, and integers from 100
   * up or when whole (an ask round trip of 1.23 ms must not print as 1).
   */
  static String value(String unit, double v) {
    if (!Double.isFinite(v)) {
      return String.valueOf(v);
    }
    String u = unit.trim().toLowerCase(Locale.ROOT);
    if (u.equals("%")) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (u.endsWith("/s")) {
      return Long.toString(Math.round(v));
    }
    if (Math.abs(v) >= 100 || v == Math.rint(v)) {
      return Long.toString(Math.round(v));
    }
    return significant(v, 3);
  }

  /** A ratio with two significant digits and a "×": {@code 0.020×}, {@code 1.0×}, {@code 35×}. */
  static String ratio(double r) {
    if (!Double.isFinite(r)) {
      return NONE;
    }
    return significant(r, 2) + "×";
  }

  /**
   * A duration in milliseconds for people: {@code 850 ms}, {@code 1.25 s}, {@code 12.5 s},
   * {@code 125 s}.
   */
  static String duration(double ms) {
    if (!Double.isFinite(ms)) {
      return String.valueOf(ms);
    }
    double a = Math.abs(ms);
    if (a < 1) {
      return significant(ms, 2) + " ms";
    }
    if (Math.round(a) < 1000) {
      return Math.round(ms) + " ms";
    }
    double s = ms / 1000;
    if (Math.abs(s) < 9.995) {
      return String.format(Locale.ROOT, "%.2f s", s);
    }
    if (Math.abs(s) < 99.95) {
      return String.format(Locale.ROOT, "%.1f s", s);
    }
    return Math.round(s) + " s";
  }

  /** An axis label: {@code 20 ms}, {@code 100 ms}, {@code 1 s}, {@code 60 s}, {@code 0.5 ms}. */
  static String tick(double ms) {
    return ms >= 1000 ? plain(ms / 1000) + " s" : plain(ms) + " ms";
  }

  /** {@code v} with three significant digits and no trailing decimal zeros: 60, 0.5, 2.5. */
  private static String plain(double v) {
    String s = significant(v, 3);
    return s.contains(".") ? s.replaceFirst("\\.?0+$", "") : s;
  }

  /** {@code v} rounded to {@code digits} significant digits, trailing zeros kept, no exponent. */
  static String significant(double v, int digits) {
    if (v == 0) {
      return "0";
    }
    BigDecimal rounded = new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_UP));
    int magnitude = rounded.precision() - rounded.scale() - 1; // floor(log10(|rounded|))
    int decimals = Math.max(0, digits - 1 - magnitude);
    return rounded.setScale(decimals, RoundingMode.HALF_UP).toPlainString();
  }
}
