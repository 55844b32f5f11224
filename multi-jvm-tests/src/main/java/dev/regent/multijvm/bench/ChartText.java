package dev.regent.multijvm.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * How the chart draws text: with the JDK's fonts when they work, else with {@link BitmapFont}.
 *
 * <p>On a bare machine (a JDK without fonts or without libfontconfig/libfreetype) the first
 * {@code drawString} throws: {@code java.lang.Error: Probable fatal error: No physical fonts
 * found}, an {@code InternalError} from the font manager, or an {@code UnsatisfiedLinkError} for
 * {@code libfontmanager.so}. {@link #detect} tries the JDK path once per JVM, on a scratch image,
 * and remembers the answer, so the chart is drawn either way.
 */
interface ChartText {

  /**
   * Draws {@code text} with its baseline at {@code y}, starting at {@code x}.
   *
   * @param size the font size in pixels (the bitmap font picks the nearest whole scale)
   */
  void draw(Graphics2D g, String text, int x, int y, int size, boolean bold, Color color);

  /** How wide {@link #draw} would draw {@code text}, in pixels. */
  int width(Graphics2D g, String text, int size, boolean bold);

  /** A short name for messages: {@code "JDK fonts"} or {@code "bitmap font"}. */
  String name();

  /** The JDK's fonts if they can draw here, else the {@link BitmapFont}; decided once per JVM. */
  static ChartText detect() {
    return Detected.INSTANCE;
  }

  /** Holds {@link #detect}'s answer; initialised on first use, so tried only once. */
  final class Detected {

    static final ChartText INSTANCE = probe();

    private Detected() {}

    private static ChartText probe() {
      FailoverChart.ensureHeadless();
      try {
        BufferedImage scratch = new BufferedImage(160, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
          g.setColor(Color.WHITE);
          g.fillRect(0, 0, 160, 40);
          g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
              RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
          JdkFontText jdk = new JdkFontText();
          jdk.drawOrThrow(g, "Regent 10 s", 2, 18, 14, false, Color.BLACK);
          jdk.drawOrThrow(g, "0.5×", 2, 36, 14, true, Color.BLACK);
          if (jdk.width(g, "Regent 10 s", 14, false) <= 0 || !hasInk(scratch)) {
            return fallBack("the JDK's fonts drew nothing");
          }
          return jdk;
        } finally {
          g.dispose();
        }
      } catch (OutOfMemoryError e) {
        throw e;
      } catch (Throwable t) { // Error, InternalError, UnsatisfiedLinkError, NoClassDefFoundError
        return fallBack(t.toString());
      }
    }

    private static boolean hasInk(BufferedImage image) {
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          if ((image.getRGB(x, y) & 0xFF) < 128) {
            return true;
          }
        }
      }
      return false;
    }

    private static ChartText fallBack(String why) {
      System.err.println("BenchReport: JDK font rendering is unavailable (" + why
          + "); failover.png uses the built-in bitmap font");
      return BitmapFont.INSTANCE;
    }
  }
}
