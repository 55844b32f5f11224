package dev.regent.toolkit.leadership;

/**
 * Lineage ids: which bootstrap a voter configuration descends from. A lineage is founded once, by
 * the one node that writes the first configuration of a new cluster; every configuration, term,
 * vote and fencing token after that belongs to it. Nodes never adopt a term or a configuration of
 * another lineage, so two clusters that were bootstrapped separately (a node that lost its state
 * and founded a new cluster, a blue/green roll-back, a misconfigured seed list) can never mix their
 * terms: equal terms of two lineages are unrelated, and a fenced resource pins one lineage.
 *
 * <p>Ids are plain {@code long}s on the wire and on disk: {@link #NONE} for a node that has no
 * configuration yet, {@link #LEGACY} for state written before lineages existed (all such nodes of
 * one cluster share it), anything else minted at random by a founder.
 */
public final class Lineage {

  /** A node without a voter configuration: it belongs to no lineage until a leader adds it. */
  public static final long NONE = 0L;

  /** The lineage of state written by a version of Regent that had no lineage ids. */
  public static final long LEGACY = 1L;

  private Lineage() {}

  /** A fresh lineage id from 64 random bits, never {@link #NONE} or {@link #LEGACY}. */
  public static long mint(long randomBits) {
    return randomBits == NONE || randomBits == LEGACY ? randomBits + 2 : randomBits;
  }

  /** The id as operators see it in logs, the status endpoint and the fenced store: 16 hex digits. */
  public static String format(long lineage) {
    return String.format("%016x", lineage);
  }

  /** Parses {@link #format}'s output (or any unsigned hex of up to 16 digits). */
  public static long parse(String text) {
    return Long.parseUnsignedLong(text.strip(), 16);
  }
}
