package dev.regent.toolkit.election;

import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The whole state of one election node: durable part, role, timers and what it knows of the
 * cluster. Immutable; {@link ElectionCore#step} returns a new one.
 *
 * @param self this node
 * @param hard the durable part (term, vote, configuration)
 * @param role the current role
 * @param leader the leader this node follows in the current term, if any
 * @param leaderContactAt when a heartbeat of {@code leader} was last accepted (its vote promise
 *     runs {@code electionTimeoutMin} from here); {@link Long#MIN_VALUE} when never
 * @param electionDeadline when a follower or candidate gives up waiting and campaigns
 * @param eligible names of the members that should be voters (from cluster membership)
 * @param latestIds per name, the newest {@link NodeId} seen in a message
 * @param random the state of the injected deterministic random source
 */
public record NodeState(
    NodeId self,
    HardState hard,
    Role role,
    Optional<NodeId> leader,
    long leaderContactAt,
    long electionDeadline,
    SortedSet<String> eligible,
    SortedMap<String, NodeId> latestIds,
    long random) {

  public NodeState {
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(hard, "hard");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(leader, "leader");
    eligible = Collections.unmodifiableSortedSet(new TreeSet<>(eligible));
    latestIds = Collections.unmodifiableSortedMap(new TreeMap<>(latestIds));
  }

  public long term() {
    return hard.term();
  }

  public VoterConfig config() {
    return hard.config();
  }

  public boolean isLeader() {
    return role instanceof Role.Leader;
  }

  /** Whether this node is leader and holds a lease in its term at {@code now}: it may host. */
  public boolean holdsLease(long now) {
    return role instanceof Role.Leader l && l.hosting() && now < l.leaseDeadline();
  }
}
