package dev.regent.toolkit.internal.election;

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
  KEEP_LEASE_AFTER_LOSS,
  /**
   * The rule before lineages: a node without a configuration founds one as soon as it is the sole
   * eligible member, without expecting anyone or asking the others whether they have state.
   */
  MEMBERSHIP_BOOTSTRAP,
  /** Messages of another lineage are taken as if they were of this one. */
  NO_LINEAGE_CHECK,
  /** A (re)started node votes and campaigns at once: no grace for the promises it forgot. */
  NO_RESTART_GRACE,
  /** A leader hands over (TimeoutNow) at once, without waiting for its singleton to stop. */
  UNGATED_TIMEOUT_NOW,
  /** A follower's promise is its own election-timeout-min, whatever lease the leader takes. */
  PER_NODE_LEASE_INEQUALITY,
  /** Terms from messages are adopted however far ahead they are (the term can be exhausted). */
  UNBOUNDED_TERM_JUMP
}
