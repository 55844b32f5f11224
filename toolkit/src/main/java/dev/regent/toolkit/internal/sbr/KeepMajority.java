package dev.regent.toolkit.internal.sbr;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Keep the side with more than half of the members (with the role, if one is set); on an even
 * split keep the side with the member with the lowest address. The default: it agrees with the
 * election's majority quorum.
 */
public record KeepMajority(Optional<String> role) implements Strategy {

  public static final String NAME = "keep-majority";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Decision decideClean(ClusterView view) {
    List<ViewMember> ms = view.counted(role);
    if (ms.isEmpty()) {
      return new Decision.DownAll("no Up member" + roleText() + " left to count");
    }
    Decision first = majority(view, view.reachable(ms).size(), view.unreachable(ms).size(), ms);
    if (!(first instanceof Decision.DownUnreachable)) {
      return first;
    }
    // A membership change may be racing the partition: count as few as possible here (no Leaving,
    // they may be Exiting there) and as many as possible there (Joining/WeaklyUp may be Up there).
    List<ViewMember> cautious = view.counted(role, false, true);
    if (cautious.isEmpty()) {
      return new Decision.DownAll("only Leaving members" + roleText() + " on this side");
    }
    // Unlike Pekko, an even split is broken over both sets: a member that may already be Up on
    // the other side can be the lowest address there (else both sides may keep themselves).
    List<ViewMember> generous = view.unreachable(view.counted(role, true, false));
    List<ViewMember> tieBreak = new ArrayList<>(cautious);
    for (ViewMember m : generous) {
      if (m.status().isPossiblyUp()) {
        tieBreak.add(m);
      }
    }
    Decision second =
        majority(view, view.reachable(cautious).size(), generous.size(), tieBreak);
    if (second instanceof Decision.DownUnreachable) {
      return first;
    }
    return new Decision.DownAll(
        "majority depends on a membership change racing the partition ("
            + first.reason() + " vs " + second.reason() + ")");
  }

  private Decision majority(ClusterView view, int here, int there, List<ViewMember> ms) {
    if (here > there) {
      return new Decision.DownUnreachable(here + " of " + (here + there) + " members" + roleText()
          + " reachable: majority");
    }
    if (here < there) {
      return new Decision.DownReachable(here + " of " + (here + there) + " members" + roleText()
          + " reachable: minority");
    }
    ViewMember lowest = Collections.min(ms, ViewMember.ADDRESS_ORDER);
    if (view.isUnreachable(lowest.node())) {
      return new Decision.DownReachable("even split " + here + "/" + there
          + ", lowest address " + lowest.node() + " is on the other side");
    }
    return new Decision.DownUnreachable("even split " + here + "/" + there
        + ", lowest address " + lowest.node() + " is on this side");
  }

  private String roleText() {
    return role.map(r -> " with role " + r).orElse("");
  }
}
