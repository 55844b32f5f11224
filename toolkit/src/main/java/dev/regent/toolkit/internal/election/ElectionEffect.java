package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.NodeId;

/**
 * What the shell must do after a step, in list order. A {@link Persist} must be durable before any
 * later effect of the same step is carried out (a message sent, a lease announced).
 */
public sealed interface ElectionEffect {

  /** Write this state durably (fsync) before carrying out the effects that follow it. */
  record Persist(HardState state) implements ElectionEffect {}

  /** Send a message to the node with this name. */
  record Send(String to, ElectionMessage message) implements ElectionEffect {}

  /** This node won the election of {@code term}; it may not host the singleton until it has a lease. */
  record Elected(long term) implements ElectionEffect {}

  /**
   * This node is leader of {@code term} and holds a lease until {@code leaseDeadline} (monotonic
   * nanos): it may host the singleton, with {@code term} as its fencing token. At most once per term.
   */
  record LeaseAcquired(long term, long leaseDeadline) implements ElectionEffect {}

  /** The lease of {@code term} now runs until {@code leaseDeadline}. */
  record LeaseRenewed(long term, long leaseDeadline) implements ElectionEffect {}

  /** This node was leader of {@code term} and no longer is. */
  record SteppedDown(long term, StepDownReason reason) implements ElectionEffect {}

  /** This node now follows {@code leader} in {@code term}. */
  record LeaderKnown(NodeId leader, long term) implements ElectionEffect {}

  /** This node no longer hears from a leader (it is starting an election or waiting for one). */
  record LeaderLost(long term) implements ElectionEffect {}

  /** The voter configuration this node uses changed (it may be the first one of a new lineage). */
  record ConfigChanged(VoterConfig config, long lineage) implements ElectionEffect {}

  /**
   * The leader of {@code term} is about to hand over: stop everything hosted under this term's
   * lease, then feed {@link ElectionEvent.HostingReleased}. Until then the leader keeps leading; if
   * the release does not come within the hand-over timeout it steps down without asking a
   * successor to start early ({@link StepDownReason#HAND_OVER_TIMED_OUT}).
   */
  record ReleaseHosting(long term) implements ElectionEffect {}

  /**
   * A message was refused without being acted on: it belongs to another lineage, or it carries an
   * implausible term. The shell logs (rate-limited) and counts it.
   */
  record Rejected(ElectionMessage message, RejectReason reason) implements ElectionEffect {}

  /**
   * Bootstrap progress worth a log line: why this node, which has no configuration, does not
   * found a lineage (yet), or that it did.
   */
  record BootstrapStatus(String status) implements ElectionEffect {}

  /** Why a message was refused. */
  enum RejectReason {
    /** The sender belongs to another lineage: its terms and configurations mean nothing here. */
    FOREIGN_LINEAGE,
    /** The sender has no lineage yet and sent something only lineage members send. */
    NO_LINEAGE,
    /** The term is more than {@link ElectionCore#MAX_TERM_JUMP} ahead of this node's. */
    IMPLAUSIBLE_TERM
  }
}
