package dev.regent.toolkit.internal.sbr;

import java.util.Optional;
import java.util.Set;

/**
 * A downing strategy: a pure function from one side's {@link ClusterView} to a {@link Decision}.
 * Every strategy handles indirectly connected members the same way (see {@link #decide}).
 */
public sealed interface Strategy
    permits KeepMajority, StaticQuorum, KeepOldest, KeepReferee, DownAllStrategy, LeaseMajority {

  /** The configuration name, e.g. {@code keep-majority}. */
  String name();

  /**
   * The decision for a view. If some members are indirectly connected, they are downed and the
   * remaining unreachable members (crashed or cleanly partitioned) are decided as Pekko does: by
   * this strategy's own {@code decide} on the view without the records between the indirectly
   * connected members. If that view is still indirectly connected (records from before a clean
   * partition can leave it so), the nested decision would be "down indirectly connected" again;
   * Pekko then downs every member, and so does this (see {@link
   * IndirectConnections#stillIndirectlyConnected}).
   */
  default Decision decide(ClusterView view) {
    Set<Node> indirect = IndirectConnections.of(view);
    if (indirect.isEmpty()) {
      return decideClean(view);
    }
    Optional<Decision> rest = Optional.empty();
    if (!IndirectConnections.unreachableButNotIndirectlyConnected(view).isEmpty()) {
      Optional<Decision.DownAll> twice = IndirectConnections.stillIndirectlyConnected(view);
      if (twice.isPresent()) {
        return twice.get();
      }
      // The reduced view has no indirectly connected members, so this does not nest further.
      Decision d = decide(IndirectConnections.withoutIndirectRecords(view));
      if (d instanceof Decision.DownIndirectlyConnected || d instanceof Decision.AcquireLease) {
        // Not reached: only lease-majority decides AcquireLease, and it overrides this method.
        return new Decision.DownAll("nested decision " + d.kind() + " for the rest; downing all");
      }
      rest = Optional.of(d);
    }
    return new Decision.DownIndirectlyConnected(
        indirect,
        rest,
        indirect.size() + " member(s) are indirectly connected (unreachable from some members,"
            + " reachable from others)"
            + rest.map(d -> "; for the rest: " + d.kind() + " (" + d.reason() + ")").orElse(""));
  }

  /** The decision for a view without indirectly connected members. */
  Decision decideClean(ClusterView view);

  /** Role filter as Pekko's {@code role = ""}: empty string means none. */
  static Optional<String> role(String role) {
    return role == null || role.isEmpty() ? Optional.empty() : Optional.of(role);
  }
}
