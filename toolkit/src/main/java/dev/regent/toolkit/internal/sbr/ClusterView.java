package dev.regent.toolkit.internal.sbr;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What one side of the cluster knows when it decides: the members (of the own data center, Removed
 * ones excluded), which of them are unreachable, the reachability records behind that, and which
 * members have seen the latest gossip. No Pekko types: the resolver actor builds it from cluster
 * events, the tests generate it.
 *
 * @param members all members, any status except Removed, in any order
 * @param unreachable members some observer on this side considers unreachable (never this side's
 *     deciding node itself)
 * @param records the unreachability records ({@code Unreachable} or {@code Terminated}) among members
 * @param seenBy members that have seen the current gossip version
 */
public record ClusterView(
    List<ViewMember> members, Set<Node> unreachable, Set<Unreachability> records, Set<Node> seenBy) {

  public ClusterView {
    members = List.copyOf(members);
    unreachable = Set.copyOf(unreachable);
    records = Set.copyOf(records);
    seenBy = Set.copyOf(seenBy);
  }

  public boolean isUnreachable(Node node) {
    return unreachable.contains(node);
  }

  public Optional<ViewMember> member(Node node) {
    return members.stream().filter(m -> m.node().equals(node)).findFirst();
  }

  /**
   * Members that count: Up and Leaving (Pekko's {@code members(includingPossiblyUp,
   * excludingPossiblyExiting)}).
   *
   * @param role only members with this role, when present
   * @param includingPossiblyUp also Joining and WeaklyUp members (they may be Up on the other side)
   * @param excludingPossiblyExiting without Leaving members (they may be Exiting on the other side)
   */
  public List<ViewMember> counted(
      Optional<String> role, boolean includingPossiblyUp, boolean excludingPossiblyExiting) {
    List<ViewMember> out = new ArrayList<>();
    for (ViewMember m : members) {
      MemberStatus s = m.status();
      boolean ok =
          s == MemberStatus.UP
              || (s == MemberStatus.LEAVING && !excludingPossiblyExiting)
              || (s.isPossiblyUp() && includingPossiblyUp);
      if (ok && role.map(m::hasRole).orElse(true)) {
        out.add(m);
      }
    }
    return out;
  }

  public List<ViewMember> counted(Optional<String> role) {
    return counted(role, false, false);
  }

  public List<ViewMember> reachable(Collection<ViewMember> ms) {
    return ms.stream().filter(m -> !isUnreachable(m.node())).collect(Collectors.toList());
  }

  public List<ViewMember> unreachable(Collection<ViewMember> ms) {
    return ms.stream().filter(m -> isUnreachable(m.node())).collect(Collectors.toList());
  }

  /**
   * Members a decision may down: every member that is not already Down or Exiting (Joining and
   * WeaklyUp included).
   */
  public Set<Node> downable() {
    Set<Node> out = new TreeSet<>();
    for (ViewMember m : members) {
      if (m.status() != MemberStatus.DOWN && m.status() != MemberStatus.EXITING) {
        out.add(m.node());
      }
    }
    return out;
  }

  /** Whether some member that is not yet Down or Exiting is unreachable: a decision is needed. */
  public boolean needsDecision() {
    for (ViewMember m : members) {
      if (unreachable.contains(m.node())
          && m.status() != MemberStatus.DOWN
          && m.status() != MemberStatus.EXITING) {
        return true;
      }
    }
    return false;
  }

  /** The same members with other reachability facts (used to set indirectly connected nodes aside). */
  public ClusterView withReachability(Set<Node> newUnreachable, Set<Unreachability> newRecords) {
    return new ClusterView(members, newUnreachable, newRecords, seenBy);
  }

  @Override
  public String toString() {
    return "members " + members + ", unreachable " + new TreeSet<>(unreachable) + ", records "
        + records + ", seenBy " + new TreeSet<>(seenBy);
  }

}
