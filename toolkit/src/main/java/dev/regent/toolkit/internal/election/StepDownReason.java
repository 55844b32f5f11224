package dev.regent.toolkit.internal.election;

/** Why a leader stopped being leader. */
public enum StepDownReason {
  /** A message with a higher term arrived: another leader was, or is being, elected. */
  HIGHER_TERM,
  /** No quorum acknowledged a heartbeat within the lease: the leader may be cut off (check-quorum). */
  LEASE_LOST,
  /** Leadership was handed to another voter on request. */
  TRANSFER,
  /** The node is no longer a voter in its own configuration. */
  REMOVED,
  /**
   * A hand-over waited longer than the hand-over timeout for the hosted singletons to stop: the
   * leader stepped down without asking a successor to start early, so the next leader waits out
   * this lease.
   */
  HAND_OVER_TIMED_OUT,
  /**
   * A member of another lineage was seen: two clusters bootstrapped separately are mixed. No
   * node leads until the operator separates them (docs/ELECTION.md, "Two lineages").
   */
  LINEAGE_CONFLICT
}
