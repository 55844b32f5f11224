package dev.regent.toolkit.election;

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

  /** The voter configuration this node uses changed. */
  record ConfigChanged(VoterConfig config) implements ElectionEffect {}
}
