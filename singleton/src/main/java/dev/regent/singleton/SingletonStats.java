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

  /**
   * Messages held for this node's suspended instance (its lease was not valid, see
   * {@link #suspensions()}) that were dropped: the oldest when the hold was full
   * ({@code buffer-size}), and those still held when the suspended instance was stopped.
   */
  long suspendedDroppedCount();

  /** All dropped messages: the three counts together. */
  default long droppedCount() {
    return proxyDroppedCount() + managerDroppedCount() + suspendedDroppedCount();
  }

  /**
   * How many times this node's manager suspended its running instance because the lease of its
   * term was not renewed in time (a late renewal, not a fault by itself).
   */
  long suspensions();

  /** How many suspensions ended with the instance resumed, its state kept, in the same term. */
  long resumes();

  /** How many messages the proxy holds right now. */
  int proxyBuffered();

  /** How many incarnations this node's manager has started. */
  long instancesStarted();

  /**
   * Messages the proxy refused because its buffer was full and the overflow policy is
   * {@link OverflowPolicy#REFUSE} (their senders were told; not in {@link #droppedCount()}).
   */
  long proxyRefusedCount();

  /** At-least-once: messages the proxy sent again (after a failover, or unconfirmed too long). */
  long proxyResentCount();

  /** At-least-once: messages the proxy keeps that no incarnation has confirmed yet. */
  int proxyUnconfirmed();

  /**
   * At-least-once: confirmations for a message already confirmed, i.e. messages an incarnation
   * processed more than once (a resend after a failover whose original had been processed).
   * A lower bound of the duplicates: a duplicate whose confirmation is lost is not seen.
   */
  long duplicateConfirmations();

  /** Messages the proxy sent straight to the running incarnation (not through a manager). */
  long proxyDirectSends();
}
