package dev.regent.toolkit.internal.sbr;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a strategy decided for one view, with the reason in words (logged with the decision).
 * {@link Downing#nodesToDown} turns a decision into the set of members to down.
 */
public sealed interface Decision {

  /** Why, in one sentence for the log. */
  String reason();

  /** Short name for logs and tests. */
  default String kind() {
    return getClass().getSimpleName();
  }

  /** Keep this side: down every unreachable member. */
  record DownUnreachable(String reason) implements Decision {}

  /** Give up this side: down every reachable member (including the deciding node). */
  record DownReachable(String reason) implements Decision {}

  /**
   * Down only the deciding member itself (a member that found no majority on its side when the
   * view stayed unstable: see {@link UnstableDecision}).
   */
  record DownSelf(Node self, String reason) implements Decision {
    public DownSelf {
      Objects.requireNonNull(self, "self");
    }
  }

  /** Down exactly these members (those that are not already Down or Exiting). */
  record DownListed(Set<Node> nodes, String reason) implements Decision {
    public DownListed {
      nodes = Set.copyOf(nodes);
    }

    @Override
    public String toString() {
      return "DownListed[" + new TreeSet<>(nodes) + ", reason=" + reason + "]";
    }
  }

  /** Down every member, on both sides. */
  record DownAll(String reason) implements Decision {}

  /**
   * Down the indirectly connected members (unreachable from some members yet reachable from
   * others), then apply {@code forTheRest} to the view without the records between them. The rest
   * is absent when nothing but the indirectly connected members is unreachable.
   */
  record DownIndirectlyConnected(
      Set<Node> indirectlyConnected, Optional<Decision> forTheRest, String reason)
      implements Decision {
    public DownIndirectlyConnected {
      indirectlyConnected = Set.copyOf(indirectlyConnected);
      Objects.requireNonNull(forTheRest, "forTheRest");
    }

    @Override
    public String toString() {
      return "DownIndirectlyConnected[" + new TreeSet<>(indirectlyConnected) + ", rest "
          + forTheRest.map(Decision::kind).orElse("none") + ", reason=" + reason + "]";
    }
  }

  /**
   * Try to acquire the lease, after {@code delay} (the minority side waits so the majority usually
   * wins); act on {@code whenAcquired} if the lease is ours, on {@code whenDenied} otherwise.
   */
  record AcquireLease(Duration delay, Decision whenAcquired, Decision whenDenied, String reason)
      implements Decision {
    public AcquireLease {
      Objects.requireNonNull(delay, "delay");
      Objects.requireNonNull(whenAcquired, "whenAcquired");
      Objects.requireNonNull(whenDenied, "whenDenied");
      if (whenAcquired instanceof AcquireLease || whenDenied instanceof AcquireLease) {
        throw new IllegalArgumentException("nested lease decision");
      }
    }
  }
}
