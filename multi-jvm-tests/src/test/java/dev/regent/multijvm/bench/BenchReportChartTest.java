package dev.regent.multijvm.bench;

import static dev.regent.multijvm.bench.Measurement.PEKKO;
import static dev.regent.multijvm.bench.Measurement.REGENT;
import static dev.regent.multijvm.bench.SampleMeasurements.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * failover.png: size, both system colours where the data is, the log axis, and the bitmap-font
 * path that a machine without usable fonts takes.
 */
class BenchReportChartTest {

  @TempDir
  Path tmp;

  private static BufferedImage render(List<Measurement> measurements, ChartText text) {
    return FailoverChart.render(ReportRow.of(measurements), text);
  }

  /** Pixels of exactly {@code color} below the legend (in the lanes, not in the swatches). */
  private static int plotPixels(BufferedImage image, Color color) {
    int count = 0;
    for (int y = FailoverChart.PLOT_TOP; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if (image.getRGB(x, y) == color.getRGB()) {
          count++;
        }
      }
    }
    return count;
  }

  /**
   * The x centres of the median bars in {@code color}: columns holding a vertical run of at least
   * 20 pixels of exactly that colour (a dot is 11 pixels tall), grouped into bars.
   */
  private static List<Double> barCentres(BufferedImage image, Color color) {
    TreeSet<Integer> columns = new TreeSet<>();
    for (int x = 0; x < image.getWidth(); x++) {
      int run = 0;
      for (int y = FailoverChart.PLOT_TOP; y < image.getHeight(); y++) {
        run = image.getRGB(x, y) == color.getRGB() ? run + 1 : 0;
        if (run >= 20) {
          columns.add(x);
          break;
        }
      }
    }
    List<Double> centres = new ArrayList<>();
    List<Integer> bar = new ArrayList<>();
    for (int x : columns) {
      if (!bar.isEmpty() && x > bar.get(bar.size() - 1) + 1) {
        centres.add(bar.stream().mapToInt(Integer::intValue).average().orElseThrow());
        bar.clear();
      }
      bar.add(x);
    }
    if (!bar.isEmpty()) {
      centres.add(bar.stream().mapToInt(Integer::intValue).average().orElseThrow());
    }
    return centres;
  }

  @Test
  void pngIs1200WideReadableAndShowsBothSystemsWhereTheirDataIs() throws Exception {
    BenchReport report = BenchReport.of(SampleMeasurements.fullRun(),
        SampleMeasurements.environment());
    report.writeTo(tmp, ChartText.detect());
    BufferedImage png = ImageIO.read(tmp.resolve("failover.png").toFile());

    assertEquals(FailoverChart.WIDTH, png.getWidth());
    // 3 failover metrics × 4 lanes + the partition failover metric's 2 empty lanes.
    assertTrue(png.getHeight() >= FailoverChart.PLOT_TOP + 14 * FailoverChart.LANE,
        "height " + png.getHeight());
    assertEquals(Color.WHITE.getRGB(), png.getRGB(2, 2), "white background");
    assertTrue(plotPixels(png, FailoverChart.REGENT) > 500, "Regent dots and bars");
    assertTrue(plotPixels(png, FailoverChart.PEKKO) > 500, "Pekko dots and bars");
    // 6 Regent and 6 Pekko lanes with values: 6 median bars each (some may share a column).
    assertTrue(barCentres(png, FailoverChart.REGENT).size() >= 4);
    assertTrue(barCentres(png, FailoverChart.PEKKO).size() >= 4);
  }

  @Test
  void onlyFailoverAndHandoverTimesAreChartedAndEachLaneAddsItsHeight() {
    List<Measurement> base = List.of(
        ms("crash failover", REGENT, "default", "", 800, 900),
        ms("crash failover", PEKKO, "default", "", 9000, 12000));
    List<Measurement> more = new ArrayList<>(base);
    more.add(new Measurement("throughput during failover", "msg/s", true, REGENT, "default",
        List.of(1e5), ""));
    more.add(new Measurement("messages lost", "%", false, PEKKO, "default", List.of(2.0), ""));
    BufferedImage two = render(base, BitmapFont.INSTANCE);
    assertEquals(two.getHeight(), render(more, BitmapFont.INSTANCE).getHeight(),
        "throughput (msg/s) and percentages are not on the chart");

    more.add(ms("crash failover", PEKKO, "tuned", "", 7000));
    assertEquals(two.getHeight() + FailoverChart.LANE,
        render(more, BitmapFont.INSTANCE).getHeight());
    more.add(new Measurement("graceful handover", "s", false, REGENT, "default", List.of(0.2),
        ""));
    assertTrue(render(more, BitmapFont.INSTANCE).getHeight()
        > two.getHeight() + 2 * FailoverChart.LANE, "a new metric adds a header and a lane");
  }

  @Test
  void timeAxisIsLogarithmicAndRegentIsLeftWhenFaster() {
    // Regent at 100 ms and 10 s, Pekko at 1 s: on a log axis 1 s is halfway between.
    BufferedImage image = render(List.of(
        ms("crash failover", REGENT, "default", "", 100, 100, 100),
        ms("crash failover", PEKKO, "default", "", 1000, 1000, 1000),
        ms("crash failover", REGENT, "tuned", "", 10_000, 10_000, 10_000),
        ms("crash failover", PEKKO, "tuned", "", 1000, 1000, 1000)), ChartText.detect());
    List<Double> regent = barCentres(image, FailoverChart.REGENT);
    List<Double> pekko = barCentres(image, FailoverChart.PEKKO);
    assertEquals(2, regent.size(), "Regent bars " + regent);
    assertEquals(1, pekko.size(), "Pekko bars " + pekko);
    double decade = pekko.get(0) - regent.get(0);
    assertTrue(decade > 150, "a decade is wide: " + decade);
    assertEquals(decade, regent.get(1) - pekko.get(0), 1.5);

    // Seconds are converted: a 0.1 s Regent bar sits where the 100 ms one did.
    BufferedImage seconds = render(List.of(
        new Measurement("crash failover", "s", false, REGENT, "default", List.of(0.1), ""),
        ms("crash failover", PEKKO, "default", "", 1000),
        new Measurement("crash failover", "s", false, REGENT, "tuned", List.of(10.0), ""),
        ms("crash failover", PEKKO, "tuned", "", 1000)), ChartText.detect());
    assertEquals(regent, barCentres(seconds, FailoverChart.REGENT));
  }

  @Test
  void bitmapFontPathWritesAReadableColouredPng() throws Exception {
    BenchReport report = BenchReport.of(SampleMeasurements.fullRun(), Map.of("k", "v"));
    report.writeTo(tmp, BitmapFont.INSTANCE);
    Path file = tmp.resolve("failover.png");
    assertTrue(Files.size(file) > 5_000, "size " + Files.size(file));
    BufferedImage png = ImageIO.read(file.toFile());
    assertEquals(FailoverChart.WIDTH, png.getWidth());

    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < png.getHeight(); y += 2) {
      for (int x = 0; x < png.getWidth(); x += 2) {
        colours.add(png.getRGB(x, y) & 0xFFFFFF);
      }
    }
    assertTrue(colours.size() > 20, colours.size() + " colours");
    assertTrue(plotPixels(png, FailoverChart.REGENT) > 500);
    assertTrue(plotPixels(png, FailoverChart.PEKKO) > 500);
    // The bitmap font draws whole pixels: the title band holds dark text pixels.
    int ink = 0;
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < png.getWidth(); x++) {
        ink += (png.getRGB(x, y) & 0xFF) < 0x40 ? 1 : 0;
      }
    }
    assertTrue(ink > 1_000, ink + " title pixels");
  }

  @Test
  void bitmapFontHasEveryPrintableAsciiCharacterAndTheReportsSymbols() {
    StringBuilder missing = new StringBuilder();
    for (char c = ' '; c <= '~'; c++) {
      if (!BitmapFont.has(c)) {
        missing.append(c);
      }
    }
    for (char c : "×—–·µ".toCharArray()) {
      if (!BitmapFont.has(c)) {
        missing.append(c);
      }
    }
    assertEquals("", missing.toString());
    BufferedImage image = new BufferedImage(200, 40, BufferedImage.TYPE_INT_RGB);
    var g = image.createGraphics();
    assertEquals(12 * 3 - 2, BitmapFont.INSTANCE.width(g, "1 s", 13, false));
    BitmapFont.INSTANCE.draw(g, "|", 0, 20, 13, false, Color.RED);
    g.dispose();
    // "|" is the middle column, 7 rows at scale 2: a 2×14 red bar from x 4, y 6.
    assertEquals(Color.RED.getRGB(), image.getRGB(4, 6));
    assertEquals(Color.RED.getRGB(), image.getRGB(5, 19));
    assertEquals(Color.BLACK.getRGB(), image.getRGB(4, 20));
    assertEquals(Color.BLACK.getRGB(), image.getRGB(3, 10));
  }

  @Test
  void aRunWithoutFailoverMeasurementsStillGetsAChart() throws Exception {
    BenchReport report = BenchReport.of(List.of(new Measurement("messages lost", "%", false,
        REGENT, "default", List.of(0.0), "")), Map.of());
    report.writeTo(tmp, BitmapFont.INSTANCE);
    BufferedImage png = ImageIO.read(tmp.resolve("failover.png").toFile());
    assertEquals(FailoverChart.WIDTH, png.getWidth());
    assertEquals(0, plotPixels(png, FailoverChart.REGENT));
  }

  @Test
  void oddValuesDoNotBreakTheChart() {
    BufferedImage image = render(List.of(
        ms("crash failover", REGENT, "a very long profile name that would not fit in the label "
            + "column at all", "", 0, -5, 1e-3, Double.NaN),
        ms("crash failover", PEKKO, "default", "", 5e6),
        ms("pause failover", PEKKO, "default", "x".repeat(400))), BitmapFont.INSTANCE);
    assertEquals(FailoverChart.WIDTH, image.getWidth());
    assertTrue(plotPixels(image, FailoverChart.PEKKO) > 50);
  }
}
