package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.NodeId;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The real {@link ElectionCore}, with or without the planted {@link Defect#UNBOUNDED_TERM_JUMP},
 * fed one hostile message at a time: for the wire fuzzer's broken-variant check (the package-private
 * defect is reachable from here only). The node is a follower of lineage {@link #LINEAGE} in term
 * {@link #TERM} with voters {@link #SELF} and {@link #PEER}.
 */
public final class HostileInputCore {

  public static final NodeId SELF = new NodeId("self", 1);
  public static final NodeId PEER = new NodeId("peer", 2);
  public static final long LINEAGE = 0x5eed_0000_0000_0001L;
  public static final long TERM = 5;
  public static final VoterConfig CONFIG =
      VoterConfig.of(new ConfigId(3, 2), List.of(SELF, PEER));

  private HostileInputCore() {}

  /** What the fuzzer compares: term, vote, configuration, lineage and role. */
  public record Observed(long term, Optional<NodeId> votedFor, VoterConfig config, long lineage,
      String role) {
    public static Observed of(NodeState s) {
      return new Observed(s.term(), s.hard().votedFor(), s.config(), s.lineage(),
          s.role().getClass().getSimpleName());
    }
  }

  /**
   * Delivers each message to a fresh node and returns those that changed what {@link Observed}
   * sees.
   */
  public static List<ElectionMessage> stateChangers(boolean unboundedTermJump,
      List<ElectionMessage> messages) {
    Set<Defect> defects = unboundedTermJump ? EnumSet.of(Defect.UNBOUNDED_TERM_JUMP)
        : EnumSet.noneOf(Defect.class);
    var core = new ElectionCore(ElectionTimings.DEFAULTS, ElectionPolicy.DEFAULTS, defects);
    var hard = new HardState(TERM, Optional.empty(), CONFIG, LINEAGE, 0);
    long now = 1_000_000_000L;
    NodeState start = core.start(SELF, hard, now, 42).state();
    start = core.step(start, new ElectionEvent.MembershipChanged(now,
        new java.util.TreeSet<>(List.of(SELF.name(), PEER.name())))).state();
    Observed before = Observed.of(start);
    var changers = new java.util.ArrayList<ElectionMessage>();
    for (ElectionMessage m : messages) {
      NodeState after = core.step(start, new ElectionEvent.Received(now + 1, m)).state();
      if (!Observed.of(after).equals(before)) {
        changers.add(m);
      }
    }
    return changers;
  }
}
