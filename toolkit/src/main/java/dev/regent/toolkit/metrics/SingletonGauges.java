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
}
