package dev.regent.singleton;

import java.util.Locale;

/**
 * What a proxy does with a message when its buffer is full ({@code regent.singleton.overflow}):
 * the buffer of messages waiting for a known singleton, and in at-least-once mode the messages
 * not yet confirmed. Each case is counted ({@link SingletonStats}, the metrics, the status
 * endpoint).
 */
public enum OverflowPolicy {
  /** The oldest buffered message goes to dead letters to make room (Pekko's proxy does this). */
  DROP_OLDEST,
  /** The new message goes to dead letters; the buffered ones are kept. */
  DROP_NEWEST,
  /**
   * The new message is refused and its sender is told: a message that implements
   * {@link RefusableMessage} gets its {@link SingletonRefused} reply; any other is published as
   * Pekko's {@code Dropped} (logged as a dead letter with the reason).
   */
  REFUSE;

  /** The configuration spelling, e.g. {@code drop-oldest}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static OverflowPolicy fromConfig(String value) {
    for (OverflowPolicy p : values()) {
      if (p.configName().equals(value)) {
        return p;
      }
    }
    return null;
  }
}
