package dev.regent.toolkit.internal.sbr;

import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Keep the side with the oldest member (with the role, if set). With {@code downIfAlone}, an
 * oldest member cut off from all others (which are at least two) downs itself and the others stay.
 */
public record KeepOldest(boolean downIfAlone, Optional<String> role) implements Strategy {

  public static final String NAME = "keep-oldest";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Decision decideClean(ClusterView view) {
    List<ViewMember> ms = view.counted(role);
    if (ms.isEmpty()) {
      return new Decision.DownAll("no Up member" + roleText() + " left");
    }
    Decision first = oldest(view, ms, view.reachable(ms).size(), view.unreachable(ms).size());
    if (!(first instanceof Decision.DownUnreachable)) {
      return first;
    }
    // Membership change racing the partition: Leaving may be Exiting on the other side (so not
    // the oldest there); with down-if-alone, Joining/WeaklyUp may be Up there and flip "alone".
    List<ViewMember> cautious = view.counted(role, false, true);
    if (cautious.isEmpty()) {
      return new Decision.DownAll("only Leaving members" + roleText() + " on this side");
    }
    List<ViewMember> counted = view.counted(role, downIfAlone, true);
    Decision second =
        oldest(view, cautious, view.reachable(counted).size(), view.unreachable(counted).size());
    if (second instanceof Decision.DownUnreachable) {
      return first;
    }
    return new Decision.DownAll(
        "oldest depends on a membership change racing the partition ("
            + first.reason() + " vs " + second.reason() + ")");
  }

  private Decision oldest(ClusterView view, List<ViewMember> ms, int here, int there) {
    ViewMember oldest = Collections.min(ms, ViewMember.AGE_ORDER);
    if (!view.isUnreachable(oldest.node())) {
      if (downIfAlone && here == 1 && there >= 2) {
        return new Decision.DownReachable(
            "oldest " + oldest.node() + " is alone here and down-if-alone is on");
      }
      return new Decision.DownUnreachable("oldest " + oldest.node() + " is on this side");
    }
    if (downIfAlone && there == 1 && here >= 2) {
      return new Decision.DownUnreachable(
          "oldest " + oldest.node() + " is alone on the other side and down-if-alone is on");
    }
    return new Decision.DownReachable("oldest " + oldest.node() + " is on the other side");
  }

  private String roleText() {
    return role.map(r -> " with role " + r).orElse("");
  }
}
