package dev.regent.toolkit.internal.wire;

import dev.regent.toolkit.serialization.RegentSerializable;
import java.util.Objects;

/**
 * Tells a peer's election actor this node's voter name, for clusters where names are configured
 * ({@code regent.election.node-name}) and cannot be derived from member addresses. Sent to every
 * member that becomes Up; a receiver that learns a new name answers with its own hello.
 *
 * @param name the sender's voter name
 * @param fromAddress the sender's canonical cluster address, as {@code Address.toString()}
 * @param fromUid the sender actor system's unique id
 */
public record NodeHello(String name, String fromAddress, long fromUid)
    implements RegentSerializable, ElectionProtocol {

  public NodeHello {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(fromAddress, "fromAddress");
  }
}
