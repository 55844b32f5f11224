package dev.regent.toolkit.internal.wire;

import dev.regent.toolkit.serialization.RegentSerializable;
import java.util.Objects;

/**
 * What one election actor sends another: an {@link ElectionEnvelope} plus the sender's cluster
 * identity, which typed actors do not get from the transport. The receiver checks that
 * {@code fromAddress}/{@code fromUid} name a current member (this incarnation of it), and that the
 * message's sender name belongs to that member, before the election core sees the message.
 *
 * <p>The sender identity is claimed, not authenticated: it protects against stale incarnations and
 * misrouted messages, not against a hostile peer (that needs TLS on Artery).
 *
 * @param fromAddress the sender's canonical cluster address, as {@code Address.toString()}
 * @param fromUid the sender actor system's unique id ({@code UniqueAddress.longUid})
 * @param envelope the election message and its intended receiver
 */
public record PeerEnvelope(String fromAddress, long fromUid, ElectionEnvelope envelope)
    implements RegentSerializable, ElectionProtocol {

  public PeerEnvelope {
    Objects.requireNonNull(fromAddress, "fromAddress");
    Objects.requireNonNull(envelope, "envelope");
  }
}
