package dev.regent.multijvm.bench;

import static dev.regent.multijvm.bench.SampleMeasurements.boxed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Nearest-rank statistics on known data, and the number formats. */
class BenchReportStatsTest {

  private static Stats stats(double... values) {
    return Stats.of(boxed(values)).orElseThrow();
  }

  @Test
  void singleValueIsEveryStatistic() {
    assertEquals(new Stats(1, 42, 42, 42, 42, 42), stats(42));
  }

  @Test
  void oddCountMedianIsTheMiddleValueWhateverTheInputOrder() {
    assertEquals(new Stats(5, 1, 3, 5, 5, 5), stats(5, 1, 4, 3, 2));
  }

  @Test
  void evenCountMedianIsTheLowerMiddleValue() {
    assertEquals(new Stats(4, 10, 20, 40, 40, 40), stats(40, 10, 30, 20));
    assertEquals(new Stats(2, 100, 100, 200, 200, 200), stats(200, 100));
  }

  @Test
  void p90IsTheNinthOfTenAndTheEighteenthOfTwenty() {
    double[] ten = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    assertEquals(new Stats(10, 1, 5, 9, 10, 10), stats(ten));
    double[] twenty = new double[20];
    for (int i = 0; i < 20; i++) {
      twenty[i] = (i + 1) * 100;
    }
    assertEquals(new Stats(20, 100, 1000, 1800, 2000, 2000), stats(twenty));
    // Eleven values: rank ceil(9.9) = 10.
    assertEquals(10, Stats.percentile(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 90));
  }

  @Test
  void p99IsTheMaxBelowAHundredValuesAndTheNinetyNinthOfAHundred() {
    // The under-load crash row has 2-5 trials: its p99 is its worst trial.
    assertEquals(new Stats(5, 700, 900, 4000, 4000, 4000), stats(900, 700, 4000, 800, 1000));
    double[] hundred = new double[100];
    for (int i = 0; i < 100; i++) {
      hundred[i] = 100 - i;
    }
    Stats s = stats(hundred);
    assertEquals(50, s.median());
    assertEquals(90, s.p90());
    assertEquals(99, s.p99());
    assertEquals(100, s.max());
    // 99 values: rank ceil(98.01) = 99, the max; 101 values: rank ceil(99.99) = 100.
    double[] ninetyNine = new double[99];
    double[] hundredOne = new double[101];
    for (int i = 0; i < 101; i++) {
      if (i < 99) {
        ninetyNine[i] = i + 1;
      }
      hundredOne[i] = i + 1;
    }
    assertEquals(99, Stats.percentile(ninetyNine, 99));
    assertEquals(100, Stats.percentile(hundredOne, 99));
  }

  @Test
  void percentileEdges() {
    double[] sorted = {1, 2, 3};
    assertEquals(1, Stats.percentile(sorted, 0));
    assertEquals(1, Stats.percentile(sorted, 33));
    assertEquals(2, Stats.percentile(sorted, 34));
    assertEquals(3, Stats.percentile(sorted, 100));
    assertThrows(IllegalArgumentException.class, () -> Stats.percentile(sorted, 101));
    assertThrows(IllegalArgumentException.class, () -> Stats.percentile(new double[0], 50));
  }

  @Test
  void noValuesOrOnlyNonFiniteOnesHaveNoStatistics() {
    assertTrue(Stats.of(List.of()).isEmpty());
    assertTrue(Stats.of(boxed(Double.NaN, Double.POSITIVE_INFINITY)).isEmpty());
    assertEquals(new Stats(2, 1, 1, 3, 3, 3), stats(3, Double.NaN, 1));
    assertEquals(1, Stats.nonFinite(boxed(3, Double.NaN, 1)));
  }

  @Test
  void valuesAreFormattedByUnit() {
    assertEquals("1235", Formats.value("ms", 1234.5));
    assertEquals("1.23", Formats.value("ms", 1.234));
    assertEquals("15.6", Formats.value("ms", 15.64));
    assertEquals("41250", Formats.value("msg/s", 41_250.4));
    assertEquals("2.3", Formats.value("%", 2.31));
    assertEquals("0.0", Formats.value("%", 0.04));
    assertEquals("1.23", Formats.value("s", 1.234));
    assertEquals("123", Formats.value("s", 123.4));
  }

  @Test
  void ratiosHaveTwoSignificantDigits() {
    assertEquals("0.020×", Formats.ratio(0.0201));
    assertEquals("0.38×", Formats.ratio(0.3849));
    assertEquals("1.0×", Formats.ratio(1));
    assertEquals("1.0×", Formats.ratio(0.996));
    assertEquals("12×", Formats.ratio(12.4));
    assertEquals("1200×", Formats.ratio(1234));
    assertEquals("—", Formats.ratio(Double.NaN));
  }

  @Test
  void durationsAndTicksReadLikeTimes() {
    assertEquals("850 ms", Formats.duration(850));
    assertEquals("1.25 s", Formats.duration(1_249.6));
    assertEquals("12.5 s", Formats.duration(12_500));
    assertEquals("125 s", Formats.duration(125_000));
    assertEquals("100 ms", Formats.tick(100));
    assertEquals("20 ms", Formats.tick(20));
    assertEquals("0.5 ms", Formats.tick(0.5));
    assertEquals("1 s", Formats.tick(1_000));
    assertEquals("2.5 s", Formats.tick(2_500));
    assertEquals("60 s", Formats.tick(60_000));
    assertEquals("100 s", Formats.tick(100_000));
  }
}
