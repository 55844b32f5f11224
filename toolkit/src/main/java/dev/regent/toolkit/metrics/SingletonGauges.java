package dev.regent.toolkit.metrics;

/**
 * What the singleton module reports about one named singleton on this node (implemented by its
 * {@code SingletonStats}); read when metrics are read, never pushed.
 */
public interface SingletonGauges {

  /** Messages the proxy holds right now. */
  int proxyBuffered();

  /** Messages the proxy dropped because its buffer was full. */
  long proxyDroppedCount();

  /** Messages the manager dropped because its buffer was full. */
  long managerDroppedCount();

  /** Incarnations this node's manager started. */
  long instancesStarted();

  /** Messages the proxy refused (overflow policy refuse). */
  default long proxyRefusedCount() {
    return 0;
  }

  /** At-least-once: messages the proxy sent again. */
  default long proxyResentCount() {
    return 0;
  }

  /** At-least-once: messages the proxy keeps unconfirmed right now. */
  default int proxyUnconfirmed() {
    return 0;
  }

  /** At-least-once: confirmations of messages already confirmed (processed twice). */
  default long duplicateConfirmations() {
    return 0;
  }
}
