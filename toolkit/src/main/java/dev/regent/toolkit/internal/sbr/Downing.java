package dev.regent.toolkit.internal.sbr;

import java.util.Set;
import java.util.TreeSet;

/** Turns a {@link Decision} into the members to down. Pure. */
public final class Downing {

  private Downing() {}

  /**
   * The members to down for a decision that needs no lease.
   *
   * @throws IllegalArgumentException for an {@link Decision.AcquireLease} (resolve it first with
   *     {@link #nodesToDown(ClusterView, Decision, boolean)})
   */
  public static Set<Node> nodesToDown(ClusterView view, Decision decision) {
    if (decision instanceof Decision.AcquireLease) {
      throw new IllegalArgumentException("lease decision needs the lease outcome: " + decision);
    }
    return nodesToDown(view, decision, false);
  }

  /** The members to down, given whether this side holds the lease (ignored for other decisions). */
  public static Set<Node> nodesToDown(ClusterView view, Decision decision, boolean leaseAcquired) {
    Set<Node> downable = view.downable();
    Set<Node> out = new TreeSet<>();
    if (decision instanceof Decision.DownUnreachable) {
      out.addAll(downable);
      out.retainAll(view.unreachable());
    } else if (decision instanceof Decision.DownReachable) {
      out.addAll(downable);
      out.removeAll(view.unreachable());
    } else if (decision instanceof Decision.DownSelf d) {
      out.add(d.self());
      out.retainAll(downable);
    } else if (decision instanceof Decision.DownListed d) {
      out.addAll(d.nodes());
      out.retainAll(downable);
    } else if (decision instanceof Decision.DownAll) {
      out.addAll(downable);
    } else if (decision instanceof Decision.DownIndirectlyConnected d) {
      out.addAll(d.indirectlyConnected());
      if (d.forTheRest().isPresent()) {
        ClusterView rest = IndirectConnections.withoutIndirectRecords(view);
        out.addAll(nodesToDown(rest, d.forTheRest().get(), leaseAcquired));
      }
      out.retainAll(downable);
    } else if (decision instanceof Decision.AcquireLease d) {
      out.addAll(nodesToDown(view, leaseAcquired ? d.whenAcquired() : d.whenDenied(), leaseAcquired));
    } else {
      throw new IllegalStateException("unknown decision " + decision);
    }
    return out;
  }
}
