package dev.regent.toolkit.internal.sbr;

import java.util.Objects;
import java.util.Optional;

/**
 * Keep the side that can reach the referee member (given by {@code host:port}); if that side has
 * fewer than {@code downAllIfLessThanNodes} reachable members, down all. A side that cannot reach
 * the referee, or whose view has no such member (not joined yet, or removed), downs itself.
 * (Akka 2.5's commercial resolver had this strategy; Pekko's built-in resolver does not.)
 */
public record KeepReferee(String refereeHost, int refereePort, int downAllIfLessThanNodes)
    implements Strategy {

  public static final String NAME = "keep-referee";

  public KeepReferee {
    Objects.requireNonNull(refereeHost, "refereeHost");
    if (downAllIfLessThanNodes < 1) {
      throw new IllegalArgumentException("downAllIfLessThanNodes must be >= 1");
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Decision decideClean(ClusterView view) {
    Optional<ViewMember> referee =
        view.counted(Optional.empty()).stream()
            .filter(m -> m.node().isAt(refereeHost, refereePort))
            .findFirst();
    String where = refereeHost + ":" + refereePort;
    if (referee.isEmpty()) {
      return new Decision.DownReachable("referee " + where + " is not an Up member");
    }
    if (view.isUnreachable(referee.get().node())) {
      return new Decision.DownReachable("referee " + where + " is on the other side");
    }
    int here = view.reachable(view.counted(Optional.empty())).size();
    if (here < downAllIfLessThanNodes) {
      return new Decision.DownAll("referee " + where + " is here but only " + here
          + " members reachable < down-all-if-less-than-nodes " + downAllIfLessThanNodes);
    }
    return new Decision.DownUnreachable("referee " + where + " is on this side");
  }
}
