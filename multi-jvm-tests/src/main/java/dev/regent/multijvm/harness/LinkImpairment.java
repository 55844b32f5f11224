package dev.regent.multijvm.harness;

import java.time.Duration;

/**
 * How the kernel impairs the packets of one direction of a link, on the namespace backend
 * ({@link NetworkBackend#NETNS}): {@code delay} +- {@code jitter} (uniform), and the percentages
 * of packets lost, duplicated and let through without the delay (reordered, as {@code tc netem}'s
 * {@code reorder}). {@link #NONE} impairs nothing.
 */
public record LinkImpairment(Duration delay, Duration jitter, double lossPercent,
    double duplicatePercent, double reorderPercent) {

  public static final LinkImpairment NONE =
      new LinkImpairment(Duration.ZERO, Duration.ZERO, 0, 0, 0);

  public LinkImpairment {
    if (delay.isNegative() || jitter.isNegative()) {
      throw new IllegalArgumentException("delay and jitter must not be negative");
    }
    if (jitter.compareTo(delay) > 0) {
      throw new IllegalArgumentException("jitter " + jitter + " larger than the delay " + delay);
    }
    for (double p : new double[] {lossPercent, duplicatePercent, reorderPercent}) {
      if (!(p >= 0 && p <= 100)) {
        throw new IllegalArgumentException("a percentage must be within 0..100: " + p);
      }
    }
  }

  /** {@code delay} +- {@code jitter}, nothing else. */
  public static LinkImpairment delay(Duration delay, Duration jitter) {
    return new LinkImpairment(delay, jitter, 0, 0, 0);
  }

  /** {@code percent} % of the packets lost, nothing else. */
  public static LinkImpairment loss(double percent) {
    return new LinkImpairment(Duration.ZERO, Duration.ZERO, percent, 0, 0);
  }

  public LinkImpairment withLoss(double percent) {
    return new LinkImpairment(delay, jitter, percent, duplicatePercent, reorderPercent);
  }

  public LinkImpairment withDuplicate(double percent) {
    return new LinkImpairment(delay, jitter, lossPercent, percent, reorderPercent);
  }

  public LinkImpairment withReorder(double percent) {
    return new LinkImpairment(delay, jitter, lossPercent, duplicatePercent, percent);
  }

  @Override
  public String toString() {
    return "delay " + delay.toMillis() + " +- " + jitter.toMillis() + " ms, loss " + lossPercent
        + " %, duplicate " + duplicatePercent + " %, reorder " + reorderPercent + " %";
  }
}
