package dev.regent.toolkit.internal.sbr;

/**
 * Membership status as far as the resolver cares. Pekko's {@code PreparingForShutdown} and
 * {@code ReadyForShutdown} count as {@link #UP} (they are still full members); {@code Removed}
 * members are not in a view at all.
 */
public enum MemberStatus {
  JOINING,
  WEAKLY_UP,
  UP,
  LEAVING,
  EXITING,
  DOWN;

  /** Joining and WeaklyUp members may already be Up on the other side of a partition. */
  public boolean isPossiblyUp() {
    return this == JOINING || this == WEAKLY_UP;
  }

  /** Members that count in strategies' arithmetic (Pekko: not Joining, WeaklyUp, Down or Exiting). */
  public boolean isCounted() {
    return this == UP || this == LEAVING;
  }
}
