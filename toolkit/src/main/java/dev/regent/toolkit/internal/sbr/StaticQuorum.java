package dev.regent.toolkit.internal.sbr;

import java.util.List;
import java.util.Optional;

/**
 * Keep the side with at least {@code quorumSize} members (with the role, if set). When the cluster
 * has grown beyond {@code 2 * quorumSize - 1} such members two sides could both reach the quorum,
 * so every side downs all.
 */
public record StaticQuorum(int quorumSize, Optional<String> role) implements Strategy {

  public static final String NAME = "static-quorum";

  public StaticQuorum {
    if (quorumSize < 1) {
      throw new IllegalArgumentException("quorumSize must be >= 1");
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Decision decide(ClusterView view) {
    int size = view.counted(role).size();
    if (isTooManyMembers(size)) {
      return tooMany(size);
    }
    return Strategy.super.decide(view);
  }

  @Override
  public Decision decideClean(ClusterView view) {
    List<ViewMember> ms = view.counted(role);
    if (isTooManyMembers(ms.size())) {
      return tooMany(ms.size());
    }
    int here = view.reachable(ms).size();
    if (here >= quorumSize) {
      return new Decision.DownUnreachable(
          here + " reachable members" + roleText() + " >= quorum-size " + quorumSize);
    }
    return new Decision.DownReachable(
        here + " reachable members" + roleText() + " < quorum-size " + quorumSize);
  }

  public boolean isTooManyMembers(int members) {
    return members > quorumSize * 2 - 1;
  }

  private Decision tooMany(int size) {
    return new Decision.DownAll(size + " members" + roleText() + " exceed 2 * quorum-size - 1 = "
        + (quorumSize * 2 - 1) + ": two sides could both reach the quorum");
  }

  private String roleText() {
    return role.map(r -> " with role " + r).orElse("");
  }
}
