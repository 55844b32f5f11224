package dev.regent.toolkit.election;

/**
 * Deliberate protocol bugs, reachable only from code in this package (the tests), to show that the
 * simulator's checkers catch what they claim to catch. Never enabled in production: the public
 * constructor of {@link ElectionCore} has no way to set one.
 */
enum Defect {
  /** A granted vote is sent but the persisted state omits it: after a restart the node votes again. */
  VOTE_NOT_PERSISTED,
  /** The lease is measured from when an acknowledgement arrived instead of when the heartbeat left. */
  LEASE_FROM_ACK_ARRIVAL,
  /** Candidates skip the pre-vote round and raise their term straight away. */
  NO_PRE_VOTE,
  /** The leader applies every pending voter change in one configuration step. */
  MULTI_MEMBER_CHANGE,
  /** A leader whose lease ran out keeps leading and keeps calling its lease valid. */
  KEEP_LEASE_AFTER_LOSS
}
