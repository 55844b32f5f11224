package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * What a node must keep across restarts and write durably before it replies to anyone: the current
 * term, the vote cast in it, the latest voter configuration it accepted, the lineage that
 * configuration belongs to, and the longest vote promise it ever made.
 *
 * @param term the current term
 * @param votedFor the candidate this node voted for in {@code term}, if any
 * @param config the latest voter configuration accepted ({@link VoterConfig#EMPTY} when none)
 * @param lineage the lineage of {@code config} ({@link Lineage#NONE} when there is none)
 * @param promiseNanos the longest time this node ever promised a leader not to vote for anyone
 *     else after accepting its heartbeat; after a restart it waits at least this long (times the
 *     clock drift) before it votes, since it cannot know how recent its last promise was
 */
public record HardState(long term, Optional<NodeId> votedFor, VoterConfig config, long lineage,
    long promiseNanos) {

  public static final HardState INITIAL =
      new HardState(0, Optional.empty(), VoterConfig.EMPTY, Lineage.NONE, 0);

  public HardState {
    Objects.requireNonNull(votedFor, "votedFor");
    Objects.requireNonNull(config, "config");
    if (term < 0 || term > ElectionMessage.MAX_TERM) {
      throw new IllegalArgumentException(
          "term must be in [0, " + ElectionMessage.MAX_TERM + "], was " + term);
    }
    if (promiseNanos < 0) {
      throw new IllegalArgumentException("promiseNanos must be >= 0, was " + promiseNanos);
    }
    if (lineage == Lineage.NONE && !config.isEmpty()) {
      throw new IllegalArgumentException("a configuration belongs to a lineage: " + config);
    }
  }

  /** State without a lineage or promise record (as written before they existed). */
  public HardState(long term, Optional<NodeId> votedFor, VoterConfig config) {
    this(term, votedFor, config, config.isEmpty() ? Lineage.NONE : Lineage.LEGACY, 0);
  }

  public HardState withTerm(long newTerm) {
    return new HardState(newTerm, Optional.empty(), config, lineage, promiseNanos);
  }

  public HardState withVote(NodeId candidate) {
    return new HardState(term, Optional.of(candidate), config, lineage, promiseNanos);
  }

  public HardState withConfig(VoterConfig newConfig) {
    return new HardState(term, votedFor, newConfig, lineage, promiseNanos);
  }

  /** Joins (or founds) {@code newLineage} with its configuration. */
  public HardState withLineage(long newLineage, VoterConfig newConfig) {
    return new HardState(term, votedFor, newConfig, newLineage, promiseNanos);
  }

  public HardState withPromise(long nanos) {
    return new HardState(term, votedFor, config, lineage, nanos);
  }
}
