package dev.regent.multijvm.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.util.HashMap;
import java.util.Map;

/**
 * Chart text in the JDK's logical {@code SansSerif} font (DejaVu Sans on Debian). Characters the
 * font cannot show are replaced by ASCII look-alikes. Should drawing throw after all (the
 * {@link ChartText#detect probe} passed), this and every later call draw with {@link BitmapFont}
 * instead, so the chart is still written.
 */
final class JdkFontText implements ChartText {

  private final Map<Integer, Font> fonts = new HashMap<>();
  private volatile boolean broken;

  @Override
  public void draw(Graphics2D g, String text, int x, int y, int size, boolean bold, Color color) {
    if (!broken) {
      try {
        drawOrThrow(g, text, x, y, size, bold, color);
        return;
      } catch (OutOfMemoryError e) {
        throw e;
      } catch (Throwable t) {
        brokenBy(t);
      }
    }
    BitmapFont.INSTANCE.draw(g, text, x, y, size, bold, color);
  }

  @Override
  public int width(Graphics2D g, String text, int size, boolean bold) {
    if (!broken) {
      try {
        Font font = font(size, bold);
        return g.getFontMetrics(font).stringWidth(displayable(font, text));
      } catch (OutOfMemoryError e) {
        throw e;
      } catch (Throwable t) {
        brokenBy(t);
      }
    }
    return BitmapFont.INSTANCE.width(g, text, size, bold);
  }

  @Override
  public String name() {
    return broken ? "bitmap font (JDK fonts failed)" : "JDK fonts";
  }

  /** Draws with the JDK font, letting any failure out (for the probe). */
  void drawOrThrow(Graphics2D g, String text, int x, int y, int size, boolean bold, Color color) {
    Font font = font(size, bold);
    g.setFont(font);
    g.setColor(color);
    g.drawString(displayable(font, text), x, y);
  }

  private synchronized Font font(int size, boolean bold) {
    return fonts.computeIfAbsent(size * 2 + (bold ? 1 : 0),
        k -> new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size));
  }

  private static String displayable(Font font, String text) {
    if (font.canDisplayUpTo(text) < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      out.append(font.canDisplay(c) ? String.valueOf(c) : switch (c) {
        case '×' -> "x";
        case '—', '–' -> "-";
        case '·' -> ".";
        case 'µ' -> "u";
        default -> "?";
      });
    }
    return out.toString();
  }

  private void brokenBy(Throwable t) {
    if (!broken) {
      broken = true;
      System.err.println("BenchReport: JDK font rendering failed (" + t
          + "); the rest of failover.png uses the built-in bitmap font");
    }
  }
}
