package dev.regent.toolkit.metrics;

import dev.regent.toolkit.leadership.LeadershipEvent;
import java.util.Optional;

/**
 * Feeds Regent's per-node metrics into a metrics library of your choice. Register with {@link
 * RegentMetrics#addListener}. Every method has a no-op default; override what you need.
 *
 * <p>Methods are called on Regent's own threads (the election actor's, the split-brain resolver's,
 * a singleton proxy's): return quickly, never block, never throw. Durations are in nanoseconds.
 * {@link #onLeaseRenewed} runs about eight times a second on the leader; everything else is rare.
 */
public interface RegentMetricsListener {

  /** This node started a pre-vote round (it asks whether it could win, without raising its term). */
  default void onPreVoteStarted(long term) {}

  /** A voter refused this node's pre-vote. */
  default void onPreVoteRejected(long term) {}

  /** This node became a candidate in {@code term} (raised its term and asked for votes). */
  default void onElectionStarted(long term) {}

  /** This node won the election of {@code term}. */
  default void onElectionWon(long term) {}

  /** This node's candidacy in {@code term} ended without winning. */
  default void onElectionLost(long term) {}

  /** This node became leader of {@code term} with a lease (it may host singletons). */
  default void onBecameLeader(long term) {}

  /** The leader's lease was renewed (leader only; frequent). */
  default void onLeaseRenewed(long term) {}

  /** This node stopped leading {@code term}; {@code tenureNanos} is how long it held the lease. */
  default void onSteppedDown(long term, LeadershipEvent.Reason reason, long tenureNanos) {}

  /** The leader this node follows changed; empty when no leader is known. */
  default void onLeaderChanged(long term, Optional<String> leader) {}

  /** A period without a known leader ended after {@code nanos}. */
  default void onLeaderlessPeriodEnded(long nanos) {}

  /**
   * A failover as seen by this node ended: from losing a known leader until a leader was known
   * again ({@code toSingleton} false), or until a singleton ran again on this node ({@code
   * toSingleton} true).
   */
  default void onFailover(long nanos, boolean toSingleton) {}

  /** A singleton's proxy on this node dropped a message (its buffer was full). */
  default void onProxyDropped(String singleton) {}

  /** The split-brain resolver on this node decided to down {@code downed} members. */
  default void onSplitBrainDecision(String strategy, String decision, int downed) {}
}
