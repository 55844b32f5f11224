package dev.regent.toolkit.internal.sbr;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds members that are unreachable from some members but still talk to others ("indirectly
 * connected"), from the reachability records, as Pekko's resolver does:
 *
 * <ul>
 *   <li>a cycle in the unreachability graph: a member that observes another as unreachable and is
 *       itself observed as unreachable;
 *   <li>a member marked unreachable that has nevertheless seen the current gossip (so gossip reaches
 *       it through a third member); both it and its observers are indirectly connected.
 * </ul>
 *
 * Neither happens for a clean partition or crashed members: there, observers and subjects are
 * disjoint and the subjects cannot see this side's gossip.
 */
public final class IndirectConnections {

  private IndirectConnections() {}

  public static Set<Node> of(ClusterView view) {
    Set<Node> out = new TreeSet<>(fromCycles(view));
    out.addAll(fromSeenGossip(view));
    return out;
  }

  static Set<Node> fromCycles(ClusterView view) {
    Set<Node> observers = new HashSet<>();
    Set<Node> subjects = new HashSet<>();
    for (Unreachability r : view.records()) {
      observers.add(r.observer());
      subjects.add(r.subject());
    }
    observers.retainAll(subjects);
    return observers;
  }

  static Set<Node> fromSeenGossip(ClusterView view) {
    Set<Node> out = new HashSet<>();
    for (Unreachability r : view.records()) {
      if (view.seenBy().contains(r.subject())) {
        out.add(r.observer());
        out.add(r.subject());
      }
    }
    return out;
  }

  /** Unreachable members that are not indirectly connected (crashed or cleanly partitioned away). */
  public static Set<Node> unreachableButNotIndirectlyConnected(ClusterView view) {
    Set<Node> out = new TreeSet<>(view.unreachable());
    out.removeAll(of(view));
    return out;
  }

  /**
   * Pekko's double "down indirectly connected": when members other than the indirectly connected
   * ones are unreachable too, the rest is decided on {@link #withoutIndirectRecords the view
   * without the records between the indirectly connected members}; if that view still has
   * indirectly connected members, Pekko's nested decision is again "down indirectly connected",
   * it gives up and downs every member. Returns that down-all decision, or empty when the nested
   * decision can be taken (or none is needed).
   */
  public static Optional<Decision.DownAll> stillIndirectlyConnected(ClusterView view) {
    if (unreachableButNotIndirectlyConnected(view).isEmpty()) {
      return Optional.empty();
    }
    Set<Node> indirect = of(view);
    Set<Node> still = of(withoutIndirectRecords(view));
    if (indirect.isEmpty() || still.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Decision.DownAll(indirect.size() + " member(s) are indirectly connected"
        + " " + indirect + " and without the records between them " + still
        + " still are: double down-indirectly-connected decision, downing all (as Pekko)"));
  }

  /**
   * The view with the records between indirectly connected members removed (and records about
   * members that cannot be downed), so that the rest can be decided as a clean partition.
   */
  public static ClusterView withoutIndirectRecords(ClusterView view) {
    Set<Node> cycle = fromCycles(view);
    Set<Node> seen = fromSeenGossip(view);
    Set<Node> downable = view.downable();
    Set<Unreachability> kept = new HashSet<>();
    Set<Node> unreachable = new HashSet<>();
    for (Unreachability r : view.records()) {
      Node o = r.observer();
      Node s = r.subject();
      boolean betweenIndirect =
          (cycle.contains(o) && cycle.contains(s)) || (seen.contains(o) && seen.contains(s));
      if (downable.contains(o) && downable.contains(s) && !betweenIndirect) {
        kept.add(r);
        unreachable.add(s);
      }
    }
    return view.withReachability(unreachable, kept);
  }
}
