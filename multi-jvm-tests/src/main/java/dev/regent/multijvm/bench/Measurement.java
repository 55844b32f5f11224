package dev.regent.multijvm.bench;

import java.util.List;
import java.util.Objects;

/**
 * One measured quantity of the failover benchmark for one system and profile: every trial's value,
 * in trial order.
 *
 * @param metric what was measured, e.g. {@code "crash failover"}; rows of the report are grouped by
 *     metric and profile, and the Regent/Pekko ratio compares the two systems' medians
 * @param unit the unit of {@code values}, e.g. {@code "ms"}, {@code "msg/s"}, {@code "%"}
 * @param higherIsBetter true for throughput-like metrics (the report says which side is better)
 * @param system {@link #REGENT} or {@link #PEKKO}
 * @param profile {@code "default"} or {@code "tuned"}
 * @param values one value per trial (may be empty when a trial could not be run; {@code note} says
 *     why)
 * @param note free text shown next to the row, e.g. "3 trials (47 s each)"; empty for none
 */
public record Measurement(String metric, String unit, boolean higherIsBetter, String system,
    String profile, List<Double> values, String note) {

  public static final String REGENT = "Regent";
  public static final String PEKKO = "Pekko";

  public Measurement {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(profile, "profile");
    values = List.copyOf(values);
    note = note == null ? "" : note;
  }
}
