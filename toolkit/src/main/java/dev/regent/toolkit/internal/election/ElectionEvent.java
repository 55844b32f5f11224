package dev.regent.toolkit.internal.election;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the election core reacts to. Each event carries {@code now}: the node's monotonic clock in
 * nanoseconds (never wall time). The core has no clock of its own.
 */
public sealed interface ElectionEvent {

  long now();

  /** Time passed; the shell delivers one at (or after) the wake-up time the last step asked for. */
  record Tick(long now) implements ElectionEvent {}

  /** A message from a peer. */
  record Received(long now, ElectionMessage message) implements ElectionEvent {}

  /**
   * The names of the cluster members currently eligible to vote (for Pekko: members that are Up and
   * carry the voter role; unreachable members stay in the set until they are downed and removed).
   */
  record MembershipChanged(long now, SortedSet<String> eligible) implements ElectionEvent {
    public MembershipChanged {
      eligible = Collections.unmodifiableSortedSet(new TreeSet<>(eligible));
    }
  }

  /**
   * A local request to hand leadership to another voter at once (graceful leave). The leader first
   * asks its node to stop what it hosts ({@link ElectionEffect.ReleaseHosting}) and hands over
   * only once told {@link HostingReleased}.
   */
  record TransferLeadership(long now) implements ElectionEvent {}

  /**
   * The node reports that nothing it hosted for {@code term} still runs (every singleton instance
   * of that term has terminated), answering {@link ElectionEffect.ReleaseHosting}.
   */
  record HostingReleased(long now, long term) implements ElectionEvent {}
}
