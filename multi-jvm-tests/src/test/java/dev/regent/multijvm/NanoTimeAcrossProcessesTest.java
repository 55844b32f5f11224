package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The history orders events of different JVMs by {@link System#nanoTime()}. That is only sound if
 * all JVMs on this host read the same clock (HotSpot on Linux: {@code CLOCK_MONOTONIC}). Checked
 * here: a child JVM's nanoTime lies between this JVM's nanoTime before the spawn and after the
 * child's exit; with per-process clocks (e.g. counting from process start) it would not.
 */
class NanoTimeAcrossProcessesTest {

  /** Child main: prints its nanoTime. */
  public static final class Printer {
    public static void main(String[] args) {
      System.out.println(System.nanoTime());
    }
  }

  @Test
  void nanoTimeOfAChildJvmFallsBetweenTheParentsReadings() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    for (int run = 0; run < 3; run++) {
      long before = System.nanoTime();
      Process p = new ProcessBuilder(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"), Printer.class.getName())).start();
      String line;
      try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        line = in.readLine();
      }
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      long after = System.nanoTime();
      long child = Long.parseLong(line.trim());
      assertTrue(before < child && child < after,
          "child nanoTime " + child + " not within [" + before + ", " + after + "]");
    }
  }
}
