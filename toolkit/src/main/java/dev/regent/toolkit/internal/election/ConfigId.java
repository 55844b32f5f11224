package dev.regent.toolkit.internal.election;

import java.util.Comparator;

/**
 * Position of a voter configuration in the chain of configurations: the term of the leader that
 * wrote it and its index. Ordered by term, then index, like the last entry of a Raft log; a voter
 * only votes for a candidate whose configuration is at least as up to date as its own.
 */
public record ConfigId(long term, long index) implements Comparable<ConfigId> {

  public static final ConfigId NONE = new ConfigId(0, 0);

  private static final Comparator<ConfigId> ORDER =
      Comparator.comparingLong(ConfigId::term).thenComparingLong(ConfigId::index);

  public ConfigId {
    if (term < 0 || term > ElectionMessage.MAX_TERM || index < 0
        || index > ElectionMessage.MAX_TERM) {
      throw new IllegalArgumentException("configuration id out of range: " + term + "." + index);
    }
  }

  @Override
  public int compareTo(ConfigId other) {
    return ORDER.compare(this, other);
  }

  public boolean isAtLeast(ConfigId other) {
    return compareTo(other) >= 0;
  }

  @Override
  public String toString() {
    return "cfg(" + term + "." + index + ")";
  }
}
