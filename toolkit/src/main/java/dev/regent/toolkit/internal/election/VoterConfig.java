package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.NodeId;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The set of voters, as written by a leader. Quorum is a strict majority of {@link #voters()}.
 *
 * <p>Consecutive configurations differ by at most one voter, so any majority of one intersects any
 * majority of the next: this is what keeps two disjoint "majorities" from electing in the same term
 * while nodes disagree on the voter set (see docs/ELECTION.md).
 */
public record VoterConfig(ConfigId id, SortedSet<NodeId> voters) {

  /** More voters than any real cluster has: a configuration this large is malformed input. */
  public static final int MAX_VOTERS = 1024;

  /** The configuration of a node that has none yet: it cannot vote or campaign. */
  public static final VoterConfig EMPTY = new VoterConfig(ConfigId.NONE, new TreeSet<>());

  public VoterConfig {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(voters, "voters");
    if (voters.size() > MAX_VOTERS) {
      throw new IllegalArgumentException("more than " + MAX_VOTERS + " voters");
    }
    for (NodeId v : voters) {
      Objects.requireNonNull(v, "voter");
    }
    voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
  }

  public static VoterConfig of(ConfigId id, Collection<NodeId> voters) {
    return new VoterConfig(id, new TreeSet<>(voters));
  }

  public boolean isEmpty() {
    return voters.isEmpty();
  }

  public boolean isVoter(NodeId node) {
    return voters.contains(node);
  }

  public int quorumSize() {
    return voters.size() / 2 + 1;
  }

  /** Whether {@code nodes} contains a strict majority of this configuration's voters. */
  public boolean isQuorum(Collection<NodeId> nodes) {
    if (voters.isEmpty()) {
      return false;
    }
    int count = 0;
    for (NodeId n : nodes) {
      if (voters.contains(n)) {
        count++;
      }
    }
    return count >= quorumSize();
  }

  public VoterConfig with(ConfigId newId, SortedSet<NodeId> newVoters) {
    return new VoterConfig(newId, newVoters);
  }

  @Override
  public String toString() {
    return id + "" + voters;
  }
}
