package dev.regent.toolkit.internal.sbr;

import java.time.Duration;

/**
 * When to decide: {@code stable-after} without membership or reachability changes, and when to
 * give up: reachability still changing {@code stable-after + down-all-when-unstable} after the first
 * change (Pekko's rules). Time is passed in (monotonic nanoseconds), so this is testable without
 * clocks. Not thread-safe; owned by the resolver actor.
 */
public final class Stability {

  /** What the resolver should do now. */
  public sealed interface Verdict {
    /** Keep waiting. */
    record Wait() implements Verdict {}

    /** The view has been stable for {@code stable-after}: decide. */
    record Stable() implements Verdict {}

    /** Reachability kept changing too long: down all. */
    record Unstable(long changes, Duration since) implements Verdict {}
  }

  private final long stableAfter;
  private final long downAllWhenUnstable;
  private long stableDeadline;
  private long firstChange;
  private long latestChange;
  private long changes;

  /**
   * @param downAllWhenUnstable {@link Duration#ZERO} for off
   */
  public Stability(Duration stableAfter, Duration downAllWhenUnstable, long nowNanos) {
    this.stableAfter = stableAfter.toNanos();
    this.downAllWhenUnstable = downAllWhenUnstable.toNanos();
    membershipChanged(nowNanos);
  }

  /** Membership changed (a member Up, Exiting, Downed): restart the stable-after wait. */
  public void membershipChanged(long now) {
    stableDeadline = now + stableAfter;
  }

  /** A member became unreachable or reachable again. */
  public void reachabilityChanged(long now) {
    if (changes == 0) {
      firstChange = now;
    }
    latestChange = now;
    changes++;
    membershipChanged(now);
  }

  /** Every unreachable member was healed, downed or removed: instability measurement restarts. */
  public void settled() {
    changes = 0;
  }

  /** A decision downed members: restart both the stable-after wait and the instability measure. */
  public void decided(long now) {
    settled();
    membershipChanged(now);
  }

  public long changes() {
    return changes;
  }

  public Verdict check(long now) {
    if (changes > 0) {
      if (downAllWhenUnstable > 0 && now - firstChange > stableAfter + downAllWhenUnstable) {
        return new Verdict.Unstable(changes, Duration.ofNanos(now - firstChange));
      }
      if (downAllWhenUnstable == 0 && now - latestChange > 2 * stableAfter) {
        settled(); // off: only keeps the statistics meaningful
      }
    }
    return now - stableDeadline >= 0 ? new Verdict.Stable() : new Verdict.Wait();
  }
}
