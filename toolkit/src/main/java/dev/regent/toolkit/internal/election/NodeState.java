package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.NodeId;
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
 * @param hard the durable part (term, vote, configuration, lineage)
 * @param role the current role
 * @param leader the leader this node follows in the current term, if any
 * @param leaderContactAt when a heartbeat of {@code leader} was last accepted;
 *     {@link Long#MIN_VALUE} when never (diagnostics: the promise is {@code promiseUntil})
 * @param promiseUntil until when this node promised not to vote for (or become) anyone but the
 *     leader it acknowledged: from a heartbeat, {@code max(election-timeout-min, leader's lease x
 *     (1 + drift))}; for an ex-leader, the end of its own lease
 * @param graceUntil until when this node neither votes nor campaigns after it started: it cannot
 *     know what it promised before. Set by {@link ElectionCore#start} only; nothing else clears it
 * @param electionDeadline when a follower or candidate gives up waiting and campaigns
 * @param eligible names of the members that should be voters (from cluster membership)
 * @param latestIds per name, the identity heard last
 * @param foreign members seen carrying another lineage, with that lineage: while any is known, this
 *     node neither leads, campaigns nor votes (fail closed)
 * @param transferTarget after a hand-over in the current term, the voter it was handed to: the
 *     ex-leader votes for it despite its own lease
 * @param probeRound the latest bootstrap probe round sent
 * @param probeAgreed the members that answered the latest round with "no state, you found"
 * @param failedElections elections this node started since it last heard a leader or led,
 *     capped at {@link ElectionCore#MAX_BACKOFF_DOUBLINGS} + 1: each one after the first doubles
 *     the spread of its next election timeout (split votes on slow links)
 * @param random the state of the injected deterministic random source
 */
public record NodeState(
    NodeId self,
    HardState hard,
    Role role,
    Optional<NodeId> leader,
    long leaderContactAt,
    long promiseUntil,
    long graceUntil,
    long electionDeadline,
    SortedSet<String> eligible,
    SortedMap<String, NodeId> latestIds,
    SortedMap<String, Long> foreign,
    Optional<NodeId> transferTarget,
    long probeRound,
    SortedSet<String> probeAgreed,
    int failedElections,
    long random) {

  public NodeState {
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(hard, "hard");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(leader, "leader");
    Objects.requireNonNull(transferTarget, "transferTarget");
    eligible = Collections.unmodifiableSortedSet(new TreeSet<>(eligible));
    latestIds = Collections.unmodifiableSortedMap(new TreeMap<>(latestIds));
    foreign = Collections.unmodifiableSortedMap(new TreeMap<>(foreign));
    probeAgreed = Collections.unmodifiableSortedSet(new TreeSet<>(probeAgreed));
  }

  public long term() {
    return hard.term();
  }

  public VoterConfig config() {
    return hard.config();
  }

  public long lineage() {
    return hard.lineage();
  }

  public boolean isLeader() {
    return role instanceof Role.Leader;
  }

  /** Whether this node is leader and holds a lease in its term at {@code now}: it may host. */
  public boolean holdsLease(long now) {
    return role instanceof Role.Leader l && l.hosting() && now < l.leaseDeadline();
  }
}
