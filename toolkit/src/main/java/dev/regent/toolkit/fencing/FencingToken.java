package dev.regent.toolkit.fencing;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.serialization.RegentSerializable;

/**
 * The fencing token of one singleton incarnation: the lineage (cluster id) of the election and the
 * term in which its node became leader. Within one lineage every later incarnation, anywhere in
 * the cluster, gets a strictly larger term (S2), so a resource that remembers the largest token it
 * has seen can refuse a deposed incarnation (S4) even when that incarnation does not yet know it
 * was deposed (a GC pause, a frozen VM).
 *
 * <p>Terms of two lineages are unrelated: a cluster founded separately (a node that lost its state
 * and founded anew, a blue/green roll-back, a second cluster with a wrong seed list) counts its
 * terms from its own first term. Tokens of different lineages are therefore never ordered: a
 * {@link FencingGuard} pins one lineage and refuses every other, and only an operator moves it to
 * a new one ({@link FencingGuard#moveToLineage}).
 *
 * <p>Travels as Jackson CBOR ({@link RegentSerializable}) so it can be attached to messages to a
 * remote resource.
 *
 * @param lineage the election's lineage id ({@link Lineage#format} shows it as 16 hex digits)
 * @param value the term; compare tokens of one lineage, never wall-clock times
 */
public record FencingToken(long lineage, long value) implements RegentSerializable {

  /**
   * Explicit creator, so Jackson binds the properties by name ({@code {"lineage": l, "value": n}})
   * whatever it makes of the record. A token written before lineages existed has no
   * {@code lineage}: it belongs to {@link Lineage#LEGACY}, like the state of that cluster.
   */
  @JsonCreator
  static FencingToken fromJson(@JsonProperty("lineage") Long lineage,
      @JsonProperty("value") long value) {
    return new FencingToken(lineage == null ? Lineage.LEGACY : lineage, value);
  }

  /** The token of the incarnation started in {@code term} of {@code lineage}. */
  public static FencingToken of(long lineage, long term) {
    return new FencingToken(lineage, term);
  }

  /** Whether {@code other} belongs to the same lineage, so that the two can be compared. */
  public boolean sameLineage(FencingToken other) {
    return lineage == other.lineage;
  }

  /**
   * Whether this token is strictly older (smaller) than {@code other} of the same lineage.
   *
   * @throws IllegalArgumentException when the lineages differ: such tokens are unrelated
   */
  public boolean isOlderThan(FencingToken other) {
    if (!sameLineage(other)) {
      throw new IllegalArgumentException("tokens of different lineages are not ordered: " + this
          + ", " + other);
    }
    return value < other.value;
  }

  @Override
  public String toString() {
    return "FencingToken(" + Lineage.format(lineage) + ", " + value + ")";
  }
}
