package dev.regent.toolkit.internal.hosting;

import java.util.Objects;

/**
 * What a node's singleton manager knows when it decides about its instance: the lease the
 * election last reported, the instance it runs, and what it was asked. Immutable; the {@code
 * with}-style methods are the events that change it, {@link HostingRule#decide} the decision they
 * lead to. All times are one node's monotonic clock ({@code System.nanoTime()} in the shell),
 * compared wrap-safely ({@code a - b > 0}).
 *
 * @param leaderTerm the term this node leads with a lease ({@code BecameLeader}), or {@link
 *     #NO_TERM} once it stepped down, lost or learned of another leader
 * @param leaseDeadline the deadline of the last lease of {@code leaderTerm} (meaningless without
 *     one)
 * @param finishedTerm a term whose instance must not run (again): it stopped by itself, or the
 *     term is being handed over; {@link #NO_TERM} if none
 * @param shuttingDown the node is shutting down: no instance runs any more
 * @param instance the state of the instance
 * @param instanceTerm the term (the fencing token) of the instance, if there is one
 * @param instanceLeaseDeadline the deadline of the last lease known for the instance's term; kept
 *     after the node stopped leading it, it bounds the hard stop
 * @param suspendedAt when the instance was suspended (meaningful while {@link Instance#SUSPENDED})
 */
public record HostingState(long leaderTerm, long leaseDeadline, long finishedTerm,
    boolean shuttingDown, Instance instance, long instanceTerm, long instanceLeaseDeadline,
    long suspendedAt) {

  /** No term: not leading, nothing finished. Terms themselves are never negative. */
  public static final long NO_TERM = -1;

  /** The state of this node's instance. */
  public enum Instance {
    /** No instance exists. */
    NONE,
    /** It runs and is active: messages reach its behavior. */
    RUNNING,
    /** It runs but is suspended: its lease is not valid, every message is held. */
    SUSPENDED,
    /** Its stop has begun; it still exists until it terminated. */
    STOPPING
  }

  /** A manager that has heard nothing and runs nothing. */
  public static final HostingState INITIAL =
      new HostingState(NO_TERM, 0, NO_TERM, false, Instance.NONE, NO_TERM, 0, 0);

  public HostingState {
    Objects.requireNonNull(instance, "instance");
    if (leaderTerm < NO_TERM || finishedTerm < NO_TERM || instanceTerm < NO_TERM) {
      throw new IllegalArgumentException("terms are >= 0 or NO_TERM");
    }
    if (instance != Instance.NONE && instanceTerm == NO_TERM) {
      throw new IllegalArgumentException("an instance has a term");
    }
  }

  /**
   * This node became leader of {@code term} with a lease until {@code deadline}. A finished term
   * stays finished when the same term is reported again; a new term clears it.
   */
  public HostingState leaseAcquired(long term, long deadline) {
    long finished = finishedTerm != NO_TERM && finishedTerm != term ? NO_TERM : finishedTerm;
    return new HostingState(term, deadline, finished, shuttingDown, instance, instanceTerm,
        instanceLeaseDeadline, suspendedAt);
  }

  /** The lease of {@code term} now runs until {@code deadline}; ignored for another term. */
  public HostingState leaseRenewed(long term, long deadline) {
    if (leaderTerm == NO_TERM || leaderTerm != term) {
      return this;
    }
    return new HostingState(leaderTerm, deadline, finishedTerm, shuttingDown, instance,
        instanceTerm, instanceLeaseDeadline, suspendedAt);
  }

  /** This node no longer leads: it stepped down, lost its leader or learned of another one. */
  public HostingState notLeader() {
    return new HostingState(NO_TERM, leaseDeadline, finishedTerm, shuttingDown, instance,
        instanceTerm, instanceLeaseDeadline, suspendedAt);
  }

  /** The leadership of {@code term} is being handed over: its instance must not run (again). */
  public HostingState handingOver(long term) {
    return new HostingState(leaderTerm, leaseDeadline, term, shuttingDown, instance, instanceTerm,
        instanceLeaseDeadline, suspendedAt);
  }

  /** The node is shutting down. */
  public HostingState shutdown() {
    return new HostingState(leaderTerm, leaseDeadline, finishedTerm, true, instance, instanceTerm,
        instanceLeaseDeadline, suspendedAt);
  }

  /**
   * The instance terminated. If its stop had not begun, it stopped by itself (or failed without
   * restart): as in Pekko, its term is finished and it is not started again for that leadership.
   */
  public HostingState terminated() {
    if (instance == Instance.NONE) {
      return this;
    }
    long finished = instance == Instance.STOPPING ? finishedTerm : instanceTerm;
    return new HostingState(leaderTerm, leaseDeadline, finished, shuttingDown, Instance.NONE,
        instanceTerm, instanceLeaseDeadline, suspendedAt);
  }

  /** An instance exists and its stop has not begun (it is running or suspended). */
  public boolean instanceLive() {
    return instance == Instance.RUNNING || instance == Instance.SUSPENDED;
  }

  /** This node leads a term with a lease. */
  public boolean leading() {
    return leaderTerm != NO_TERM;
  }

  HostingState with(Instance newInstance, long newInstanceTerm, long newInstanceLeaseDeadline,
      long newSuspendedAt) {
    return new HostingState(leaderTerm, leaseDeadline, finishedTerm, shuttingDown, newInstance,
        newInstanceTerm, newInstanceLeaseDeadline, newSuspendedAt);
  }
}
