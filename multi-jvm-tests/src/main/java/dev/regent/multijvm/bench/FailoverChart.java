package dev.regent.multijvm.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * {@code failover.png}: the failover distributions. Every measurement whose metric names a
 * failover or handover (crash failover, pause failover, graceful handover) and whose unit is a
 * time gets a lane, grouped by metric, in table order (profile, then Regent before Pekko). Each
 * trial is a dot, the median a bar; the shared time axis is logarithmic (values span about 50 ms
 * to 60 s) with labelled ticks at 1-2-5 steps, 60 s, and gridlines. Regent is blue, Pekko orange
 * (Okabe-Ito colours, distinct for colour-blind readers too). {@value #WIDTH} px wide, about
 * 36 px per lane plus title, legend and axis; white background.
 *
 * <p>Drawn with plain Java2D in headless mode and written with ImageIO; text goes through
 * {@link ChartText}, so a machine without usable fonts still gets a readable chart.
 */
final class FailoverChart {

  static final String FILE = "failover.png";
  static final int WIDTH = 1200;
  static final Color REGENT = new Color(0x0072B2);
  static final Color PEKKO = new Color(0xD55E00);
  private static final Color OTHER = new Color(0x555555);

  private static final Color INK = new Color(0x222222);
  private static final Color MUTED = new Color(0x666666);
  private static final Color GRID_MAJOR = new Color(0xC4C4C4);
  private static final Color GRID_MINOR = new Color(0xE8E8E8);
  private static final Color STRIPE = new Color(0xF3F5F8);

  private static final int PAD = 24;
  static final int PLOT_TOP = 104;
  private static final int HEADER = 30;
  static final int LANE = 36;
  private static final int GROUP_GAP = 8;
  private static final int AXIS = 58;
  private static final int BOTTOM = 14;
  private static final double DOT_RADIUS = 5.5;
  /** At most this much of the width for lane labels (profile and system). */
  private static final int MAX_LABEL = 320;
  private static final int[] SWARM = {0, -6, 6, -12, 12};

  private static final int TITLE_SIZE = 18;
  private static final int TEXT_SIZE = 13;
  private static final int HEADER_SIZE = 15;
  private static final int TICK_SIZE = 12;

  private FailoverChart() {}

  /** Set {@code java.awt.headless=true} unless the caller chose: the chart needs no display. */
  static void ensureHeadless() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** Whether a measurement is on the chart: a failover or handover metric with a time unit. */
  static boolean charted(Measurement m) {
    String metric = m.metric().toLowerCase(Locale.ROOT);
    return (metric.contains("failover") || metric.contains("handover"))
        && millisPer(m.unit()).isPresent();
  }

  /** Milliseconds per {@code unit}, for the time units the chart accepts. */
  static OptionalDouble millisPer(String unit) {
    return switch (unit.trim().toLowerCase(Locale.ROOT)) {
      case "ns" -> OptionalDouble.of(1e-6);
      case "us", "µs" -> OptionalDouble.of(1e-3);
      case "ms" -> OptionalDouble.of(1);
      case "s" -> OptionalDouble.of(1000);
      case "min" -> OptionalDouble.of(60_000);
      default -> OptionalDouble.empty();
    };
  }

  /** The colour of a system's dots, bars and legend swatch. */
  static Color color(String system) {
    return switch (system) {
      case Measurement.REGENT -> REGENT;
      case Measurement.PEKKO -> PEKKO;
      default -> OTHER;
    };
  }

  static void write(List<ReportRow> rows, Path dir, ChartText text) {
    Path file = dir.resolve(FILE);
    try {
      if (!ImageIO.write(render(rows, text), "png", file.toFile())) {
        throw new IOException("no PNG writer in this JDK");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** One lane: a measurement's values in milliseconds. */
  private record Lane(ReportRow row, double[] millis) {
    Measurement m() {
      return row.measurement();
    }
  }

  static BufferedImage render(List<ReportRow> rows, ChartText text) {
    ensureHeadless();
    Map<String, List<Lane>> groups = new LinkedHashMap<>();
    Map<String, List<String>> ratios = new LinkedHashMap<>();
    for (ReportRow row : rows) {
      Measurement m = row.measurement();
      if (!charted(m)) {
        continue;
      }
      double per = millisPer(m.unit()).orElseThrow();
      double[] millis = m.values().stream().mapToDouble(v -> v * per).filter(Double::isFinite)
          .toArray();
      groups.computeIfAbsent(m.metric(), k -> new ArrayList<>()).add(new Lane(row, millis));
      if (row.ratio().isPresent()) {
        ratios.computeIfAbsent(m.metric(), k -> new ArrayList<>())
            .add(m.profile() + " " + Formats.ratio(row.ratio().getAsDouble()));
      }
    }
    int lanes = groups.values().stream().mapToInt(List::size).sum();
    int body = groups.isEmpty() ? 3 * LANE
        : groups.size() * HEADER + lanes * LANE + (groups.size() - 1) * GROUP_GAP;
    int height = PLOT_TOP + body + AXIS + BOTTOM;

    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, height);
      new Painter(g, text, groups, ratios, height).paint();
    } finally {
      g.dispose();
    }
    return image;
  }

  /** Draws one chart; holds the layout. */
  private static final class Painter {
    private final Graphics2D g;
    private final ChartText text;
    private final Map<String, List<Lane>> groups;
    private final Map<String, List<String>> ratios;
    private final int height;
    private final int x0;
    private final int x1;
    private final double logLo;
    private final double logHi;

    Painter(Graphics2D g, ChartText text, Map<String, List<Lane>> groups,
        Map<String, List<String>> ratios, int height) {
      this.g = g;
      this.text = text;
      this.groups = groups;
      this.ratios = ratios;
      this.height = height;
      int labels = 0;
      int stats = 0;
      for (List<Lane> lanes : groups.values()) {
        for (Lane lane : lanes) {
          labels = Math.max(labels, labelWidth(lane));
          stats = Math.max(stats, text.width(g, statsText(lane), TEXT_SIZE, false));
        }
      }
      this.x0 = PAD + Math.min(Math.max(labels, 120), MAX_LABEL) + 16;
      this.x1 = WIDTH - PAD - Math.max(stats, 110) - 16;
      double min = Double.POSITIVE_INFINITY;
      double max = 0;
      for (List<Lane> lanes : groups.values()) {
        for (Lane lane : lanes) {
          for (double v : lane.millis()) {
            if (v > 0) {
              min = Math.min(min, v);
              max = Math.max(max, v);
            }
          }
        }
      }
      this.logLo = Math.log10(niceDown(Math.min(min, 50) / 1.25));
      this.logHi = Math.log10(niceUp(Math.max(max * 1.15, 75_000)));
    }

    void paint() {
      title();
      legend();
      int plotBottom = height - AXIS - BOTTOM;
      List<double[]> ticks = ticks();
      if (groups.isEmpty()) {
        grid(ticks, PLOT_TOP, plotBottom);
        text.draw(g, "No failover or handover measurements in this run.", x0 + 12,
            PLOT_TOP + LANE + 18, TEXT_SIZE, false, MUTED);
      }
      int y = PLOT_TOP;
      for (Map.Entry<String, List<Lane>> group : groups.entrySet()) {
        header(group.getKey(), y);
        y += HEADER;
        List<Lane> lanes = group.getValue();
        List<String> profiles = new ArrayList<>();
        for (Lane lane : lanes) {
          if (!profiles.contains(lane.m().profile())) {
            profiles.add(lane.m().profile());
          }
        }
        for (int i = 0; i < lanes.size(); i++) {
          if (profiles.indexOf(lanes.get(i).m().profile()) % 2 == 0) {
            g.setColor(STRIPE);
            g.fillRect(PAD, y + i * LANE, WIDTH - 2 * PAD, LANE);
          }
        }
        grid(ticks, y, y + lanes.size() * LANE);
        for (Lane lane : lanes) {
          lane(lane, y);
          y += LANE;
        }
        y += GROUP_GAP;
      }
      axis(ticks, plotBottom);
    }

    private void title() {
      text.draw(g, "Failover and handover time: Regent vs Pekko Cluster Singleton", PAD, 34,
          TITLE_SIZE, true, INK);
      text.draw(g, "Log time axis; lower is better. Right column: median and number of trials.",
          PAD, 58, TEXT_SIZE, false, MUTED);
    }

    private void legend() {
      int x = PAD;
      int baseline = 86;
      for (String system : List.of(Measurement.REGENT, Measurement.PEKKO)) {
        g.setColor(color(system));
        g.fillRect(x, baseline - 11, 12, 12);
        x += 18;
        text.draw(g, system, x, baseline, TEXT_SIZE, true, INK);
        x += text.width(g, system, TEXT_SIZE, true) + 24;
      }
      dot(x + 6, baseline - 5, MUTED);
      x += 18;
      text.draw(g, "one trial", x, baseline, TEXT_SIZE, false, INK);
      x += text.width(g, "one trial", TEXT_SIZE, false) + 24;
      medianBar(x + 2, baseline - 5, 8, INK);
      x += 12;
      text.draw(g, "median", x, baseline, TEXT_SIZE, false, INK);
    }

    private void header(String metric, int y) {
      int baseline = y + 21;
      text.draw(g, metric, PAD, baseline, HEADER_SIZE, true, INK);
      List<String> r = ratios.get(metric);
      if (r != null) {
        int x = PAD + text.width(g, metric, HEADER_SIZE, true) + 16;
        text.draw(g, "Regent/Pekko median: " + String.join(", ", r), x, baseline, TEXT_SIZE,
            false, MUTED);
      }
    }

    private void lane(Lane lane, int top) {
      Measurement m = lane.m();
      int cy = top + LANE / 2;
      int baseline = cy + 5;
      Color color = color(m.system());
      int systemWidth = text.width(g, m.system(), TEXT_SIZE, true);
      text.draw(g, m.system(), x0 - 16 - systemWidth, baseline, TEXT_SIZE, true, color);
      String profile = fit(m.profile(), MAX_LABEL - 8 - systemWidth, false);
      text.draw(g, profile, x0 - 16 - systemWidth - 8
          - text.width(g, profile, TEXT_SIZE, false), baseline, TEXT_SIZE, false, MUTED);
      Optional<Stats> stats = Stats.of(Arrays.stream(lane.millis()).boxed().toList());
      if (stats.isEmpty()) {
        String note = lane.row().note();
        String why = note.equals("no values") ? "no trials" : "no trials (" + note + ")";
        text.draw(g, fit(why, x1 - x0 - 24, false), x0 + 12, baseline, TEXT_SIZE, false, MUTED);
        return;
      }
      double[] xs = Arrays.stream(lane.millis()).map(this::x).sorted().toArray();
      List<double[]> placed = new ArrayList<>();
      for (double x : xs) {
        int dy = 0;
        for (int candidate : SWARM) {
          boolean free = true;
          for (double[] p : placed) {
            double ddx = p[0] - x;
            double ddy = p[1] - candidate;
            if (ddx * ddx + ddy * ddy < Math.pow(DOT_RADIUS * 1.8, 2)) {
              free = false;
              break;
            }
          }
          if (free) {
            dy = candidate;
            break;
          }
        }
        placed.add(new double[] {x, dy});
        dot(x, cy + dy, color);
      }
      medianBar(x(stats.get().median()), cy, LANE / 2 - 4, color);
      text.draw(g, statsText(lane), x1 + 16, baseline, TEXT_SIZE, false, INK);
    }

    private void dot(double cx, double cy, Color color) {
      Ellipse2D circle = new Ellipse2D.Double(cx - DOT_RADIUS, cy - DOT_RADIUS, 2 * DOT_RADIUS,
          2 * DOT_RADIUS);
      g.setColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 96));
      g.fill(circle);
      g.setColor(color);
      g.setStroke(new BasicStroke(1.4f));
      g.draw(circle);
    }

    /** A vertical bar, {@code 2 * half} tall, in the exact colour with a white edge. */
    private void medianBar(double cx, int cy, int half, Color color) {
      int x = (int) Math.round(cx);
      g.setColor(Color.WHITE);
      g.fillRect(x - 3, cy - half - 1, 6, 2 * half + 2);
      g.setColor(color);
      g.fillRect(x - 2, cy - half, 4, 2 * half);
    }

    private void grid(List<double[]> ticks, int top, int bottom) {
      for (double[] tick : ticks) {
        g.setColor(tick[1] > 0 ? GRID_MAJOR : GRID_MINOR);
        int x = (int) Math.round(x(tick[0]));
        g.fillRect(x, top, 1, bottom - top);
      }
    }

    private void axis(List<double[]> ticks, int top) {
      int y = top + 4;
      g.setColor(MUTED);
      g.fillRect(x0, y, x1 - x0 + 1, 1);
      // Major ticks are labelled first; a minor label is left out where it would touch another.
      List<int[]> taken = new ArrayList<>();
      TreeMap<Double, double[]> byPriority = new TreeMap<>();
      for (double[] tick : ticks) {
        byPriority.put((tick[1] > 0 ? 0 : 1e9) + tick[0], tick);
      }
      for (double[] tick : byPriority.values()) {
        boolean major = tick[1] > 0;
        int x = (int) Math.round(x(tick[0]));
        g.setColor(major ? MUTED : GRID_MAJOR);
        g.fillRect(x, y, 1, major ? 6 : 4);
        String label = Formats.tick(tick[0]);
        int w = text.width(g, label, TICK_SIZE, major);
        int left = x - w / 2;
        int right = left + w;
        if (left < PAD || right > WIDTH - PAD
            || taken.stream().anyMatch(t -> left < t[1] + 14 && right > t[0] - 14)) {
          continue;
        }
        taken.add(new int[] {left, right});
        text.draw(g, label, left, y + 20, TICK_SIZE, major, major ? INK : MUTED);
      }
      String title = "time (log scale)";
      text.draw(g, title, (x0 + x1 - text.width(g, title, TEXT_SIZE, false)) / 2, y + 44,
          TEXT_SIZE, false, MUTED);
    }

    /** Tick values in ms with 1 for major (a power of ten, or 60 s) and 0 for minor (2, 5). */
    private List<double[]> ticks() {
      List<double[]> ticks = new ArrayList<>();
      double lo = Math.pow(10, logLo) * 0.999;
      double hi = Math.pow(10, logHi) * 1.001;
      boolean minute = lo <= 60_000 && 60_000 <= hi;
      for (int decade = (int) Math.floor(logLo); decade <= (int) Math.ceil(logHi); decade++) {
        for (int step : new int[] {1, 2, 5}) {
          double v = step * Math.pow(10, decade);
          if (v >= lo && v <= hi && !(minute && v == 50_000)) {
            ticks.add(new double[] {v, step == 1 ? 1 : 0});
          }
        }
      }
      if (minute) {
        ticks.add(new double[] {60_000, 1});
      }
      return ticks;
    }

    private double x(double millis) {
      double log = Math.log10(Math.max(millis, Math.pow(10, logLo)));
      return x0 + (log - logLo) / (logHi - logLo) * (x1 - x0);
    }

    /** {@code s}, cut and ended with "..." if wider than {@code max} pixels. */
    private String fit(String s, int max, boolean bold) {
      if (text.width(g, s, TEXT_SIZE, bold) <= max) {
        return s;
      }
      String cut = s;
      while (!cut.isEmpty() && text.width(g, cut + "...", TEXT_SIZE, bold) > max) {
        cut = cut.substring(0, cut.length() - 1);
      }
      return cut.stripTrailing() + "...";
    }

    private int labelWidth(Lane lane) {
      return text.width(g, lane.m().profile(), TEXT_SIZE, false) + 8
          + text.width(g, lane.m().system(), TEXT_SIZE, true);
    }

    private String statsText(Lane lane) {
      Optional<Stats> s = Stats.of(Arrays.stream(lane.millis()).boxed().toList());
      return s.map(st -> Formats.duration(st.median()) + "  n=" + st.n()).orElse("n=0");
    }
  }

  /** The largest 1-2-5 step value at most {@code v}. */
  static double niceDown(double v) {
    double decade = Math.pow(10, Math.floor(Math.log10(v)));
    for (int step : new int[] {5, 2, 1}) {
      if (step * decade <= v) {
        return step * decade;
      }
    }
    return decade;
  }

  /** The smallest 1-2-5 step value at least {@code v}. */
  static double niceUp(double v) {
    double decade = Math.pow(10, Math.floor(Math.log10(v)));
    for (int step : new int[] {1, 2, 5, 10}) {
      if (step * decade >= v) {
        return step * decade;
      }
    }
    return 10 * decade;
  }
}
