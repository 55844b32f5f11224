package dev.regent.toolkit.fencing;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.regent.toolkit.serialization.RegentSerializable;

/**
 * The fencing token of one singleton incarnation: the election term in which its node became
 * leader. Every later incarnation, anywhere in the cluster, gets a strictly larger token (DESIGN
 * S2), so a resource that remembers the largest token it has seen can refuse a deposed incarnation
 * (S4) even when that incarnation does not yet know it was deposed (a GC pause, a frozen VM).
 *
 * <p>Travels as Jackson CBOR ({@link RegentSerializable}) so it can be attached to messages to a
 * remote resource.
 *
 * @param value the term; compare tokens, never wall-clock times
 */
public record FencingToken(long value) implements Comparable<FencingToken>, RegentSerializable {

  /**
   * Explicit creator: a one-field record would otherwise be ambiguous to Jackson between a
   * delegating creator (a bare number) and a properties one ({@code {"value": n}}).
   */
  @JsonCreator
  public FencingToken(@JsonProperty("value") long value) {
    this.value = value;
  }

  /** The token of the incarnation started in {@code term}. */
  public static FencingToken of(long term) {
    return new FencingToken(term);
  }

  @Override
  public int compareTo(FencingToken other) {
    return Long.compare(value, other.value);
  }

  /** Whether this token is strictly older (smaller) than {@code other}. */
  public boolean isOlderThan(FencingToken other) {
    return value < other.value;
  }

  @Override
  public String toString() {
    return "FencingToken(" + value + ")";
  }
}
