package dev.regent.toolkit.internal.sbr;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.regent.toolkit.serialization.RegentSerializable;
import java.util.Objects;

/**
 * Sent by the resolver of the cluster leader to the resolver at the address of a member it has
 * just removed (see {@link Rejoin}): "the incarnation {@code removedUid} at your address is gone;
 * a join to me is accepted now". Travels as Jackson CBOR ({@link RegentSerializable}).
 *
 * @param host canonical host of the removed incarnation
 * @param port canonical port of the removed incarnation
 * @param removedUid unique id of the removed incarnation
 */
public record RejoinHint(String host, int port, long removedUid) implements RegentSerializable {

  public RejoinHint {
    Objects.requireNonNull(host, "host");
  }

  @JsonCreator
  static RejoinHint fromJson(@JsonProperty("host") String host, @JsonProperty("port") int port,
      @JsonProperty("removedUid") long removedUid) {
    return new RejoinHint(host, port, removedUid);
  }

  /** The hint about the removed incarnation {@code removed}. */
  static RejoinHint about(Node removed) {
    return new RejoinHint(removed.host(), removed.port(), removed.uid());
  }
}
