package dev.regent.multijvm.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's load average, printed next to measured times (they mean little without it). */
public final class LoadAverage {

  private LoadAverage() {}

  /** The 1, 5 and 15 minute load averages from {@code /proc/loadavg}, or "unknown" off Linux. */
  public static String now() {
    try {
      String[] f = fields();
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** The 1-minute load average, or NaN off Linux. */
  public static double oneMinute() {
    try {
      return Double.parseDouble(fields()[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * The scheduling entities runnable at this instant and their total, {@code running/total} from
   * {@code /proc/loadavg}, or "unknown" off Linux.
   */
  public static String runnableNow() {
    try {
      return fields()[3];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String[] fields() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
  }
}
