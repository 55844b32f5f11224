package dev.regent.toolkit.internal.wire;

import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.serialization.RegentSerializable;
import java.util.Objects;

/**
 * An election message on its way between nodes' election actors, serialized with Jackson CBOR.
 *
 * @param toName the node name of the intended receiver, so an actor can drop a message meant for
 *     a node that used to run at its address under another name
 * @param message the election message; its sender is {@link ElectionMessage#from()}
 */
public record ElectionEnvelope(String toName, ElectionMessage message)
    implements RegentSerializable, ElectionProtocol {

  public ElectionEnvelope {
    Objects.requireNonNull(toName, "toName");
    Objects.requireNonNull(message, "message");
  }
}
