package dev.regent.multijvm.bench;

import static dev.regent.multijvm.bench.Measurement.PEKKO;
import static dev.regent.multijvm.bench.Measurement.REGENT;
import static dev.regent.multijvm.bench.SampleMeasurements.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * failover.svg, parsed with the JDK's XML parser: well-formed SVG, one lane per charted
 * measurement with its label, a dot per trial, the median bar and the stats text, in each system's
 * colour, on a log axis.
 */
class BenchReportChartTest {

  private static final String SVG_NS = "http://www.w3.org/2000/svg";

  @TempDir
  Path tmp;

  private static Document parse(String svg) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document doc = factory.newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    Element root = doc.getDocumentElement();
    assertEquals("svg", root.getLocalName());
    assertEquals(SVG_NS, root.getNamespaceURI());
    return doc;
  }

  private static Document render(List<Measurement> measurements) throws Exception {
    return parse(FailoverChart.render(ReportRow.of(measurements)));
  }

  private static List<Element> elements(Element in, String tag, String cls) {
    NodeList nodes = in.getElementsByTagNameNS(SVG_NS, tag);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      Element e = (Element) nodes.item(i);
      if (cls == null || e.getAttribute("class").equals(cls)) {
        out.add(e);
      }
    }
    return out;
  }

  private static List<Element> lanes(Document doc) {
    return elements(doc.getDocumentElement(), "g", "lane");
  }

  private static String text(Element lane, String cls) {
    return elements(lane, "text", cls).get(0).getTextContent();
  }

  private static Optional<Element> median(Element lane) {
    return elements(lane, "rect", "median").stream().findFirst();
  }

  /** The x centre of a lane's median bar. */
  private static double medianX(Element lane) {
    Element bar = median(lane).orElseThrow();
    return Double.parseDouble(bar.getAttribute("x"))
        + Double.parseDouble(bar.getAttribute("width")) / 2;
  }

  private static int height(Document doc) {
    return Integer.parseInt(doc.getDocumentElement().getAttribute("height"));
  }

  @Test
  void svgHasALaneWithLabelDotsMedianAndStatsPerChartedMeasurement() throws Exception {
    BenchReport report = BenchReport.of(SampleMeasurements.fullRun(),
        SampleMeasurements.environment());
    report.writeTo(tmp);
    Document doc = parse(Files.readString(tmp.resolve("failover.svg")));
    Element svg = doc.getDocumentElement();

    assertEquals(String.valueOf(FailoverChart.WIDTH), svg.getAttribute("width"));
    assertEquals("0 0 " + FailoverChart.WIDTH + " " + height(doc), svg.getAttribute("viewBox"));
    assertEquals("Failover and handover time: Regent vs Pekko Cluster Singleton",
        elements(svg, "text", "title").get(0).getTextContent());
    List<String> metrics = elements(svg, "text", "metric").stream()
        .map(Element::getTextContent).toList();
    assertEquals(4, metrics.size(), metrics.toString());
    assertTrue(metrics.get(0).startsWith("crash failover"), metrics.get(0));
    assertTrue(metrics.get(0).contains("Regent/Pekko median: default 0.0"), metrics.get(0));

    // 3 failover metrics × 4 lanes + the partition failover metric's 2 empty lanes, table order.
    List<ReportRow> charted = report.rows().stream()
        .filter(r -> FailoverChart.charted(r.measurement())).toList();
    List<Element> lanes = lanes(doc);
    assertEquals(14, charted.size());
    assertEquals(charted.size(), lanes.size());
    for (int i = 0; i < lanes.size(); i++) {
      Measurement m = charted.get(i).measurement();
      Element lane = lanes.get(i);
      assertEquals(m.profile() + m.system(), text(lane, "label"), "label of " + m);
      List<Element> dots = elements(lane, "circle", "trial");
      assertEquals(m.values().size(), dots.size(), "a dot per trial of " + m);
      for (Element dot : dots) {
        assertEquals(FailoverChart.color(m.system()), dot.getAttribute("fill"));
      }
      if (m.values().isEmpty()) {
        assertTrue(median(lane).isEmpty());
        assertEquals("no trials (not run: needs root for iptables)", text(lane, "stats"));
      } else {
        assertEquals(FailoverChart.color(m.system()), median(lane).get().getAttribute("fill"));
        Stats s = charted.get(i).stats().orElseThrow();
        assertEquals(Formats.duration(s.median()) + "  n=" + s.n(), text(lane, "stats"));
      }
    }
    assertTrue(elements(svg, "text", "tick").stream()
        .anyMatch(t -> t.getTextContent().equals("1 s")), "the axis has a 1 s tick");
  }

  @Test
  void onlyFailoverAndHandoverTimesAreChartedAndEachLaneAddsItsHeight() throws Exception {
    List<Measurement> base = List.of(
        ms("crash failover", REGENT, "default", "", 800, 900),
        ms("crash failover", PEKKO, "default", "", 9000, 12000));
    List<Measurement> more = new ArrayList<>(base);
    more.add(new Measurement("throughput during failover", "msg/s", true, REGENT, "default",
        List.of(1e5), ""));
    more.add(new Measurement("messages lost", "%", false, PEKKO, "default", List.of(2.0), ""));
    Document two = render(base);
    assertEquals(2, lanes(two).size());
    assertEquals(height(two), height(render(more)),
        "throughput (msg/s) and percentages are not on the chart");

    more.add(ms("crash failover", PEKKO, "tuned", "", 7000));
    assertEquals(height(two) + FailoverChart.LANE, height(render(more)));
    more.add(new Measurement("graceful handover", "s", false, REGENT, "default", List.of(0.2),
        ""));
    Document four = render(more);
    assertEquals(4, lanes(four).size());
    assertTrue(height(four) > height(two) + 2 * FailoverChart.LANE,
        "a new metric adds a header and a lane");
  }

  @Test
  void timeAxisIsLogarithmicAndRegentIsLeftWhenFaster() throws Exception {
    // Regent at 100 ms and 10 s, Pekko at 1 s: on a log axis 1 s is halfway between.
    List<Element> lanes = lanes(render(List.of(
        ms("crash failover", REGENT, "default", "", 100, 100, 100),
        ms("crash failover", PEKKO, "default", "", 1000, 1000, 1000),
        ms("crash failover", REGENT, "tuned", "", 10_000, 10_000, 10_000),
        ms("crash failover", PEKKO, "tuned", "", 1000, 1000, 1000))));
    double decade = medianX(lanes.get(1)) - medianX(lanes.get(0));
    assertTrue(decade > 150, "a decade is wide: " + decade);
    assertEquals(decade, medianX(lanes.get(2)) - medianX(lanes.get(1)), 0.2);
    assertEquals(medianX(lanes.get(1)), medianX(lanes.get(3)), 0.01);

    // Seconds are converted: a 0.1 s Regent bar sits where the 100 ms one did.
    List<Element> seconds = lanes(render(List.of(
        new Measurement("crash failover", "s", false, REGENT, "default", List.of(0.1), ""),
        ms("crash failover", PEKKO, "default", "", 1000),
        new Measurement("crash failover", "s", false, REGENT, "tuned", List.of(10.0), ""),
        ms("crash failover", PEKKO, "tuned", "", 1000))));
    assertEquals(medianX(lanes.get(0)), medianX(seconds.get(0)), 0.01);
    assertEquals(medianX(lanes.get(2)), medianX(seconds.get(2)), 0.01);
  }

  @Test
  void aRunWithoutFailoverMeasurementsStillGetsAChart() throws Exception {
    BenchReport report = BenchReport.of(List.of(new Measurement("messages lost", "%", false,
        REGENT, "default", List.of(0.0), "")), Map.of());
    report.writeTo(tmp);
    Document doc = parse(Files.readString(tmp.resolve("failover.svg")));
    assertEquals(0, lanes(doc).size());
    assertTrue(doc.getDocumentElement().getTextContent()
        .contains("No failover or handover measurements in this run."));
  }

  @Test
  void oddValuesAndMarkupInTextDoNotBreakTheSvg() throws Exception {
    String longProfile = "a very long profile name that would not fit in the label column at all";
    Document doc = render(List.of(
        ms("crash failover", REGENT, longProfile, "", 0, -5, 1e-3, Double.NaN),
        ms("crash failover", PEKKO, "<tuned> & \"quoted\"", "", 5e6),
        ms("pause failover", PEKKO, "default", "x".repeat(400))));
    List<Element> lanes = lanes(doc);
    assertEquals(3, lanes.size());
    assertTrue(text(lanes.get(0), "label").endsWith("…" + REGENT), text(lanes.get(0), "label"));
    assertEquals(3, elements(lanes.get(0), "circle", "trial").size(), "NaN is left out");
    assertEquals("<tuned> & \"quoted\"" + PEKKO, text(lanes.get(1), "label"));
    assertTrue(text(lanes.get(2), "stats").length() < 150, "a long note is cut");
  }
}
