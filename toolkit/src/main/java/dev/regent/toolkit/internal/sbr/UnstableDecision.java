package dev.regent.toolkit.internal.sbr;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a member does when reachability kept changing for {@code stable-after +
 * down-all-when-unstable} (the {@link Stability.Verdict.Unstable} verdict) and the strategy is
 * {@code keep-majority} with {@code unstable-keeps-majority = on}. Pure.
 *
 * <p>The rule: the <em>healthy</em> members of this member's view are the counted members (Up, with
 * the role) that are reachable, not Leaving, and not indirectly connected. If this member is one of
 * them and they are a strict majority of every member that may count (Up, Leaving, and Joining or
 * WeaklyUp: those may be Up on the other side), the side is kept: its leader downs the unreachable
 * and the indirectly connected members, the other members do nothing (their leader acts).
 * Otherwise this member downs itself, and only itself: the members of a side that holds no
 * majority each down themselves, so nobody downs a side that may hold the majority.
 *
 * <p>Two disjoint sides cannot both be strict majorities of the same members, so at most one side
 * is kept; a side kept here and a side kept by {@code keep-majority}'s stable decision cannot be
 * disjoint either (that decision keeps a side only if it has at least half, and the majority here is
 * strict). Sides whose views overlap share a member that carries both sides' downing by gossip.
 */
public final class UnstableDecision {

  private UnstableDecision() {}

  /**
   * @param view this member's view
   * @param self this member
   * @param role the role keep-majority counts (empty: all members)
   * @param responsible whether this member is its side's leader (the one that decides for it)
   * @return the decision, or empty when this member should leave it to its leader
   */
  public static Optional<Decision> decide(
      ClusterView view, Node self, Optional<String> role, boolean responsible) {
    Set<Node> indirect = IndirectConnections.of(view);
    List<ViewMember> total = view.counted(role, true, false);
    Set<Node> healthy = new TreeSet<>();
    for (ViewMember m : view.counted(role, false, true)) {
      if (!view.isUnreachable(m.node()) && !indirect.contains(m.node())) {
        healthy.add(m.node());
      }
    }
    String counts = healthy.size() + " of " + total.size() + " members"
        + role.map(r -> " with role " + r).orElse("") + " healthy (reachable, Up, not indirectly"
        + " connected) on this side";
    if (healthy.contains(self) && 2 * healthy.size() > total.size()) {
      if (!responsible) {
        return Optional.empty();
      }
      String reason = "unstable, but " + counts + ": a majority; downing the unreachable and"
          + " indirectly connected members";
      if (indirect.isEmpty()) {
        return Optional.of(new Decision.DownUnreachable(reason));
      }
      Set<Node> down = new TreeSet<>(view.unreachable());
      down.addAll(indirect);
      return Optional.of(new Decision.DownListed(down, reason + " (indirectly connected: "
          + new TreeSet<>(indirect) + ")"));
    }
    return Optional.of(new Decision.DownSelf(self, "unstable, and "
        + (healthy.contains(self) ? counts + ": no majority"
            : "this member is not healthy in its own view (" + counts + ")")
        + "; downing only myself"));
  }
}
