package dev.regent.toolkit.internal.sbr;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Keep the side that acquires the lease and down the other. The side that is the minority (by the
 * same count as {@link KeepMajority}) waits {@code acquireLeaseDelayForMinority} before trying, so
 * the majority usually wins. The lease itself is configured under {@code leaseImplementation} (a
 * config path with a {@code lease-class}); the resolver actor acquires it, this record only decides.
 */
public record LeaseMajority(
    Optional<String> role,
    String leaseImplementation,
    String leaseName,
    Duration acquireLeaseDelayForMinority,
    Duration releaseAfter)
    implements Strategy {

  public static final String NAME = "lease-majority";

  public LeaseMajority {
    Objects.requireNonNull(leaseImplementation, "leaseImplementation");
    Objects.requireNonNull(acquireLeaseDelayForMinority, "acquireLeaseDelayForMinority");
    Objects.requireNonNull(releaseAfter, "releaseAfter");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Decision decide(ClusterView view) {
    Set<Node> indirect = IndirectConnections.of(view);
    if (indirect.isEmpty()) {
      return decideClean(view);
    }
    String why = indirect.size() + " member(s) are indirectly connected";
    // With the lease, as Pekko: the rest is decided on the view without the records between the
    // indirectly connected (down its unreachable members); if that view is still indirectly
    // connected, down all. Without the lease there is no nested decision.
    Optional<Decision.DownAll> twice = IndirectConnections.stillIndirectlyConnected(view);
    Decision whenAcquired = twice.isPresent()
        ? twice.get()
        : new Decision.DownIndirectlyConnected(
            indirect, Optional.of(new Decision.DownUnreachable("lease acquired")), why);
    return new Decision.AcquireLease(
        Duration.ZERO,
        whenAcquired,
        new Decision.DownIndirectlyConnected(
            indirect, Optional.of(new Decision.DownReachable("lease denied")), why),
        why + "; acquire the lease at once");
  }

  @Override
  public Decision decideClean(ClusterView view) {
    boolean minority = isInMinority(view);
    return new Decision.AcquireLease(
        minority ? acquireLeaseDelayForMinority : Duration.ZERO,
        new Decision.DownUnreachable("lease acquired"),
        new Decision.DownReachable("lease denied"),
        minority
            ? "minority side: acquire the lease after " + acquireLeaseDelayForMinority.toMillis() + " ms"
            : "majority side: acquire the lease at once");
  }

  /** Whether this side is the minority (on an even split: lacks the lowest address). */
  public boolean isInMinority(ClusterView view) {
    List<ViewMember> ms = view.counted(role);
    if (ms.isEmpty()) {
      return false;
    }
    int unreachable = view.unreachable(ms).size();
    if (unreachable * 2 == ms.size()) {
      return view.isUnreachable(Collections.min(ms, ViewMember.ADDRESS_ORDER).node());
    }
    return unreachable * 2 > ms.size();
  }
}
