package dev.regent.singleton;

/**
 * Counters of one named singleton on this node, readable from any thread (no JMX). Obtain with
 * {@link ClusterSingleton#stats(String)}.
 */
public interface SingletonStats {

  /**
   * Messages the proxy dropped because its buffer was full while no singleton was known (the
   * oldest is dropped first).
   */
  long proxyDroppedCount();

  /**
   * Messages this node's manager dropped because its buffer was full while the instance it was
   * about to start (or had just stopped) was not running.
   */
  long managerDroppedCount();

  /** Both counts together. */
  default long droppedCount() {
    return proxyDroppedCount() + managerDroppedCount();
  }

  /** How many messages the proxy holds right now. */
  int proxyBuffered();

  /** How many incarnations this node's manager has started. */
  long instancesStarted();
}
