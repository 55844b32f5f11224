package dev.regent.toolkit.leadership;

import java.util.Optional;
import org.apache.pekko.actor.Address;

/**
 * A snapshot of this node's view of the election, cheap to read from any thread.
 *
 * @param self this node's voter identity
 * @param term the current term
 * @param leader the leader this node knows of in {@code term}, if any
 * @param leaderAddress where that leader runs
 * @param isLeader whether this node leads {@code term} and has acquired a lease in it
 * @param leaseDeadlineNanos end of this node's lease ({@link System#nanoTime()}), if it leads
 * @param lineage the lineage (cluster id) of this node's voter configuration, {@link Lineage#NONE}
 *     until it has one; fencing tokens of this node's terms carry it
 */
public record Leadership(
    NodeId self,
    long term,
    Optional<NodeId> leader,
    Optional<Address> leaderAddress,
    boolean isLeader,
    long leaseDeadlineNanos,
    long lineage) {

  /** A snapshot of a node that belongs to no lineage yet (and tests' stand-ins). */
  public Leadership(NodeId self, long term, Optional<NodeId> leader,
      Optional<Address> leaderAddress, boolean isLeader, long leaseDeadlineNanos) {
    this(self, term, leader, leaderAddress, isLeader, leaseDeadlineNanos, Lineage.NONE);
  }

  /** Whether this node may act as leader right now: it leads and its lease has not run out. */
  public boolean holdsLease() {
    return isLeader && System.nanoTime() - leaseDeadlineNanos < 0;
  }
}
