package dev.regent.multijvm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * {@code failover.svg}: the failover distributions. Every measurement whose metric names a
 * failover or handover (crash failover, pause failover, graceful handover) and whose unit is a
 * time gets a lane, grouped by metric, in table order (profile, then Regent before Pekko). Each
 * trial is a dot, the median a bar; the shared time axis is logarithmic (values span about 50 ms
 * to 60 s) with labelled ticks at 1-2-5 steps, 60 s, and gridlines. Regent is blue, Pekko orange
 * (Okabe-Ito colours, distinct for colour-blind readers too). {@value #WIDTH} px wide, about
 * {@value #LANE} px per lane plus title, legend and axis; white background.
 *
 * <p>Plain SVG text: the viewer (browser, GitHub) draws the text with its own sans-serif font.
 * Text widths are only estimated, for the layout: labels are right-aligned against the plot and
 * the other columns leave room to spare. Each lane is a {@code <g class="lane">} holding its
 * label, one {@code <circle class="trial">} per value (its {@code <title>} shows the value on
 * hover), a {@code <rect class="median">} and a {@code <text class="stats">}.
 */
final class FailoverChart {

  static final String FILE = "failover.svg";
  static final int WIDTH = 1200;
  static final String REGENT = "#0072B2";
  static final String PEKKO = "#D55E00";
  private static final String OTHER = "#555555";

  private static final String INK = "#222222";
  private static final String MUTED = "#666666";
  private static final String GRID_MAJOR = "#C4C4C4";
  private static final String GRID_MINOR = "#E8E8E8";
  private static final String STRIPE = "#F3F5F8";
  private static final String FONT = "Helvetica, Arial, 'DejaVu Sans', 'Liberation Sans', "
      + "sans-serif";

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
  static String color(String system) {
    return switch (system) {
      case Measurement.REGENT -> REGENT;
      case Measurement.PEKKO -> PEKKO;
      default -> OTHER;
    };
  }

  static void write(List<ReportRow> rows, Path dir) {
    Path file = dir.resolve(FILE);
    try {
      Files.writeString(file, render(rows));
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

  /** The SVG document. */
  static String render(List<ReportRow> rows) {
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
    return new Painter(groups, ratios, height).paint();
  }

  /** Writes one chart; holds the layout. */
  private static final class Painter {
    private final StringBuilder svg = new StringBuilder();
    private final Map<String, List<Lane>> groups;
    private final Map<String, List<String>> ratios;
    private final int height;
    private final int x0;
    private final int x1;
    private final double logLo;
    private final double logHi;

    Painter(Map<String, List<Lane>> groups, Map<String, List<String>> ratios, int height) {
      this.groups = groups;
      this.ratios = ratios;
      this.height = height;
      double labels = 0;
      double stats = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = 0;
      for (List<Lane> lanes : groups.values()) {
        for (Lane lane : lanes) {
          labels = Math.max(labels, width(lane.m().profile(), TEXT_SIZE, false) + 6
              + width(lane.m().system(), TEXT_SIZE, true));
          stats = Math.max(stats, width(statsText(lane), TEXT_SIZE, false));
          for (double v : lane.millis()) {
            if (v > 0) {
              min = Math.min(min, v);
              max = Math.max(max, v);
            }
          }
        }
      }
      this.x0 = PAD + (int) Math.min(Math.max(labels, 120), MAX_LABEL) + 16;
      this.x1 = WIDTH - PAD - (int) Math.max(stats, 110) - 16;
      this.logLo = Math.log10(niceDown(Math.min(min, 50) / 1.25));
      this.logHi = Math.log10(niceUp(Math.max(max * 1.15, 75_000)));
    }

    String paint() {
      svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
      svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
          .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH)
          .append(' ').append(height).append("\" font-family=\"").append(FONT)
          .append("\" font-size=\"").append(TEXT_SIZE).append("\">\n");
      svg.append("<title>Failover and handover time: Regent vs Pekko Cluster Singleton</title>\n");
      rect(0, 0, WIDTH, height, "#FFFFFF");
      title();
      legend();
      int plotBottom = height - AXIS - BOTTOM;
      List<double[]> ticks = ticks();
      if (groups.isEmpty()) {
        grid(ticks, PLOT_TOP, plotBottom);
        text(x0 + 12, PLOT_TOP + LANE + 18, "", "fill=\"" + MUTED + "\"",
            "No failover or handover measurements in this run.");
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
            rect(PAD, y + i * LANE, WIDTH - 2 * PAD, LANE, STRIPE);
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
      svg.append("</svg>\n");
      return svg.toString();
    }

    private void title() {
      text(PAD, 34, "title", "font-size=\"" + TITLE_SIZE + "\" font-weight=\"bold\" fill=\""
          + INK + "\"", "Failover and handover time: Regent vs Pekko Cluster Singleton");
      text(PAD, 58, "", "fill=\"" + MUTED + "\"",
          "Log time axis; lower is better. Right column: median and number of trials.");
    }

    private void legend() {
      svg.append("<g class=\"legend\">\n");
      int baseline = 86;
      double x = PAD;
      for (String system : List.of(Measurement.REGENT, Measurement.PEKKO)) {
        rect(x, baseline - 11, 12, 12, color(system));
        text(x + 18, baseline, "", "font-weight=\"bold\" fill=\"" + INK + "\"", system);
        x += 18 + width(system, TEXT_SIZE, true) + 28;
      }
      dot(x + 6, baseline - 5, MUTED, null);
      text(x + 18, baseline, "", "fill=\"" + INK + "\"", "one trial");
      x += 18 + width("one trial", TEXT_SIZE, false) + 28;
      medianBar(x + 2, baseline - 5, 8, INK);
      text(x + 12, baseline, "", "fill=\"" + INK + "\"", "median");
      svg.append("</g>\n");
    }

    private void header(String metric, int y) {
      int baseline = y + 21;
      svg.append("<text class=\"metric\" x=\"").append(PAD).append("\" y=\"").append(baseline)
          .append("\"><tspan font-size=\"").append(HEADER_SIZE).append("\" font-weight=\"bold\" ")
          .append("fill=\"").append(INK).append("\">").append(escape(metric)).append("</tspan>");
      List<String> r = ratios.get(metric);
      if (r != null) {
        svg.append("<tspan dx=\"16\" fill=\"").append(MUTED).append("\">")
            .append(escape("Regent/Pekko median: " + String.join(", ", r))).append("</tspan>");
      }
      svg.append("</text>\n");
    }

    private void lane(Lane lane, int top) {
      Measurement m = lane.m();
      int cy = top + LANE / 2;
      int baseline = cy + 5;
      String color = color(m.system());
      svg.append("<g class=\"lane\">\n");
      // Right-aligned against the plot, so the label fits whatever font the viewer has.
      svg.append("<text class=\"label\" x=\"").append(x0 - 16).append("\" y=\"").append(baseline)
          .append("\" text-anchor=\"end\"><tspan fill=\"").append(MUTED).append("\">")
          .append(escape(cut(m.profile(), 40))).append("</tspan><tspan dx=\"6\" ")
          .append("font-weight=\"bold\" fill=\"").append(color).append("\">")
          .append(escape(m.system())).append("</tspan></text>\n");
      Optional<Stats> stats = Stats.of(Arrays.stream(lane.millis()).boxed().toList());
      if (stats.isEmpty()) {
        String note = lane.row().note();
        String why = note.equals("no values") ? "no trials" : "no trials (" + note + ")";
        text(x0 + 12, baseline, "stats", "fill=\"" + MUTED + "\"",
            cut(why, (int) ((x1 - x0 - 24) / (TEXT_SIZE * 0.56))));
        svg.append("</g>\n");
        return;
      }
      double[] sorted = Arrays.stream(lane.millis()).sorted().toArray();
      List<double[]> placed = new ArrayList<>();
      for (double v : sorted) {
        double x = x(v);
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
        dot(x, cy + dy, color, m.system() + " " + m.profile() + ", " + m.metric() + ": "
            + Formats.duration(v));
      }
      medianBar(x(stats.get().median()), cy, LANE / 2 - 4, color);
      text(x1 + 16, baseline, "stats", "fill=\"" + INK + "\"", statsText(lane));
      svg.append("</g>\n");
    }

    private void dot(double cx, double cy, String color, String title) {
      svg.append("<circle class=\"trial\" cx=\"").append(num(cx)).append("\" cy=\"")
          .append(num(cy)).append("\" r=\"").append(num(DOT_RADIUS)).append("\" fill=\"")
          .append(color).append("\" fill-opacity=\"0.38\" stroke=\"").append(color)
          .append("\" stroke-width=\"1.4\"");
      if (title == null) {
        svg.append("/>\n");
      } else {
        svg.append("><title>").append(escape(title)).append("</title></circle>\n");
      }
    }

    /** A vertical bar, {@code 2 * half} tall and 4 wide, in the exact colour with a white edge. */
    private void medianBar(double cx, double cy, int half, String color) {
      svg.append("<rect class=\"median\" x=\"").append(num(cx - 2)).append("\" y=\"")
          .append(num(cy - half)).append("\" width=\"4\" height=\"").append(2 * half)
          .append("\" fill=\"").append(color).append("\" stroke=\"#FFFFFF\" stroke-width=\"1\"/>\n");
    }

    private void grid(List<double[]> ticks, int top, int bottom) {
      for (double[] tick : ticks) {
        double x = x(tick[0]);
        svg.append("<line x1=\"").append(num(x)).append("\" y1=\"").append(top)
            .append("\" x2=\"").append(num(x)).append("\" y2=\"").append(bottom)
            .append("\" stroke=\"").append(tick[1] > 0 ? GRID_MAJOR : GRID_MINOR).append("\"/>\n");
      }
    }

    private void axis(List<double[]> ticks, int top) {
      int y = top + 4;
      svg.append("<g class=\"axis\">\n");
      svg.append("<line x1=\"").append(x0).append("\" y1=\"").append(y).append("\" x2=\"")
          .append(x1).append("\" y2=\"").append(y).append("\" stroke=\"").append(MUTED)
          .append("\"/>\n");
      // Major ticks are labelled first; a minor label is left out where it would touch another.
      List<double[]> byPriority = new ArrayList<>(ticks.stream().filter(t -> t[1] > 0).toList());
      byPriority.addAll(ticks.stream().filter(t -> t[1] == 0).toList());
      List<double[]> taken = new ArrayList<>();
      for (double[] tick : byPriority) {
        boolean major = tick[1] > 0;
        double x = x(tick[0]);
        svg.append("<line x1=\"").append(num(x)).append("\" y1=\"").append(y).append("\" x2=\"")
            .append(num(x)).append("\" y2=\"").append(y + (major ? 6 : 4)).append("\" stroke=\"")
            .append(major ? MUTED : GRID_MAJOR).append("\"/>\n");
        String label = Formats.tick(tick[0]);
        double w = width(label, TICK_SIZE, major);
        double left = x - w / 2;
        double right = x + w / 2;
        if (left < PAD || right > WIDTH - PAD
            || taken.stream().anyMatch(t -> left < t[1] + 14 && right > t[0] - 14)) {
          continue;
        }
        taken.add(new double[] {left, right});
        text(x, y + 20, "tick", "text-anchor=\"middle\" font-size=\"" + TICK_SIZE + "\""
            + (major ? " font-weight=\"bold\" fill=\"" + INK : " fill=\"" + MUTED) + "\"", label);
      }
      text((x0 + x1) / 2.0, y + 44, "", "text-anchor=\"middle\" fill=\"" + MUTED + "\"",
          "time (log scale)");
      svg.append("</g>\n");
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

    private void text(double x, double y, String cls, String attributes, String content) {
      svg.append("<text");
      if (!cls.isEmpty()) {
        svg.append(" class=\"").append(cls).append('"');
      }
      svg.append(" x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" ")
          .append(attributes).append('>').append(escape(content)).append("</text>\n");
    }

    private void rect(double x, double y, double w, double h, String fill) {
      svg.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"")
          .append(num(w)).append("\" height=\"").append(num(h)).append("\" fill=\"").append(fill)
          .append("\"/>\n");
    }

    private static String statsText(Lane lane) {
      Optional<Stats> s = Stats.of(Arrays.stream(lane.millis()).boxed().toList());
      return s.map(st -> Formats.duration(st.median()) + "  n=" + st.n()).orElse("n=0");
    }
  }

  /**
   * About how wide {@code text} is in a common sans-serif font, in pixels: for the layout only
   * (the viewer chooses the font), erring wide.
   */
  static double width(String text, int size, boolean bold) {
    return text.length() * size * (bold ? 0.62 : 0.56);
  }

  /** {@code s}, cut to {@code max} characters and ended with "…" if longer. */
  static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)).stripTrailing() + "…";
  }

  /** {@code v} for an attribute: at most one decimal, a dot, no exponent. */
  static String num(double v) {
    long tenths = Math.round(v * 10);
    return tenths % 10 == 0 ? Long.toString(tenths / 10)
        : String.format(Locale.ROOT, "%.1f", tenths / 10.0);
  }

  /** {@code s} as XML character data or attribute value. */
  static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        default -> out.append(c < 0x20 && c != '\t' ? ' ' : c);
      }
    }
    return out.toString();
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
