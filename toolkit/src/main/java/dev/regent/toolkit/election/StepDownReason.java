package dev.regent.toolkit.election;

/** Why a leader stopped being leader. */
public enum StepDownReason {
  /** A message with a higher term arrived: another leader was, or is being, elected. */
  HIGHER_TERM,
  /** No quorum acknowledged a heartbeat within the lease: the leader may be cut off (check-quorum). */
  LEASE_LOST,
  /** Leadership was handed to another voter on request. */
  TRANSFER,
  /** The node is no longer a voter in its own configuration. */
  REMOVED
}
