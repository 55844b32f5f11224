package dev.regent.toolkit.internal.sbr;

import java.util.Comparator;
import java.util.Objects;
import java.util.Set;

/**
 * A member of the cluster in one side's view.
 *
 * @param upNumber Pekko's up-number: lower means older (became Up earlier); members not yet Up
 *     carry {@link Integer#MAX_VALUE}
 */
public record ViewMember(Node node, MemberStatus status, int upNumber, Set<String> roles) {

  /** Oldest first; ties (members not yet Up) broken by address, as Pekko's age ordering does. */
  public static final Comparator<ViewMember> AGE_ORDER =
      Comparator.comparingInt(ViewMember::upNumber).thenComparing(ViewMember::node);

  /** Lowest address first. */
  public static final Comparator<ViewMember> ADDRESS_ORDER = Comparator.comparing(ViewMember::node);

  public ViewMember {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(status, "status");
    roles = Set.copyOf(roles);
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  public ViewMember withStatus(MemberStatus newStatus, int newUpNumber) {
    return new ViewMember(node, newStatus, newUpNumber, roles);
  }

  @Override
  public String toString() {
    return node + "(" + status + (upNumber == Integer.MAX_VALUE ? "" : ",up=" + upNumber)
        + (roles.isEmpty() ? "" : "," + roles) + ")";
  }
}
