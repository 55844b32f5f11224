package dev.regent.toolkit.election;

import java.util.Objects;
import java.util.Optional;

/**
 * What a node must keep across restarts and write durably before it replies to anyone: the current
 * term, the vote cast in it, and the latest voter configuration it accepted.
 */
public record HardState(long term, Optional<NodeId> votedFor, VoterConfig config) {

  public static final HardState INITIAL = new HardState(0, Optional.empty(), VoterConfig.EMPTY);

  public HardState {
    Objects.requireNonNull(votedFor, "votedFor");
    Objects.requireNonNull(config, "config");
    if (term < 0) {
      throw new IllegalArgumentException("term must be >= 0, was " + term);
    }
  }

  public HardState withTerm(long newTerm) {
    return new HardState(newTerm, Optional.empty(), config);
  }

  public HardState withVote(NodeId candidate) {
    return new HardState(term, Optional.of(candidate), config);
  }

  public HardState withConfig(VoterConfig newConfig) {
    return new HardState(term, votedFor, newConfig);
  }
}
