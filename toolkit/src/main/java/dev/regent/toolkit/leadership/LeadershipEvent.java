package dev.regent.toolkit.leadership;

import org.apache.pekko.actor.Address;

/**
 * What a node's election tells its subscribers (the singleton manager, the proxy, metrics). Times
 * are {@link System#nanoTime()} values of this JVM. Delivered in order to each subscriber.
 */
public sealed interface LeadershipEvent {

  /**
   * This node is leader of {@code term} and holds a lease until {@code leaseDeadlineNanos}: it may
   * host singletons, with {@code term} as their fencing token. At most once per term.
   */
  record BecameLeader(long term, long leaseDeadlineNanos) implements LeadershipEvent {}

  /** The lease of {@code term} now runs until {@code leaseDeadlineNanos}. */
  record LeaseRenewed(long term, long leaseDeadlineNanos) implements LeadershipEvent {}

  /** This node was leader of {@code term} and no longer is: stop hosting at once. */
  record SteppedDown(long term, Reason reason) implements LeadershipEvent {}

  /** {@code leader}, reachable at {@code address}, leads {@code term} (this node may be it). */
  record LeaderKnown(NodeId leader, Address address, long term) implements LeadershipEvent {}

  /** This node no longer hears from a leader. */
  record LeaderLost(long term) implements LeadershipEvent {}

  /** Why a leader stepped down. */
  enum Reason {
    /** Another node was, or is being, elected in a higher term. */
    HIGHER_TERM,
    /** No quorum acknowledged a heartbeat within the lease (check-quorum). */
    LEASE_LOST,
    /** Leadership was handed over on request (graceful leave). */
    TRANSFER,
    /** This node is no longer a voter. */
    REMOVED,
    /** The election actor failed and restarted: no lease survives a restart. */
    RESTARTED,
    /** The actor system is shutting down. */
    SHUTDOWN,
    /**
     * A hand-over waited longer than the hand-over timeout for this node's singletons to stop: no
     * successor was asked to start early; the next leader waits out this lease.
     */
    HAND_OVER_TIMED_OUT,
    /** A member of another lineage (a separately bootstrapped cluster) was seen: no node leads. */
    LINEAGE_CONFLICT
  }
}
