package dev.regent.singleton.internal;

import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Internal API: a user message on its way to a singleton manager or straight to the running
 * incarnation, wrapped by its sender (a proxy, or a manager handing its buffer on). Managers accept
 * only their {@link SingletonManager.Command}s, so a user message (any type the application chose)
 * travels in this envelope, locally and between nodes alike. On the wire it is written by
 * {@link SingletonEnvelopeSerializer}.
 *
 * <p>The delivery fields: {@code replyTo} is the sending proxy (null when the sender does not
 * want to hear back, e.g. an old peer's frame). {@code seq > 0} asks the incarnation to confirm
 * with {@link Delivered}{@code (seq)} once its behavior processed the message (at-least-once;
 * {@code proxyId} and {@code seq} then form the message's {@code DeliveryId}). {@code locate}
 * asks the manager that hands the message to a running incarnation to tell the proxy where it
 * runs ({@link Located}), so that the proxy can send straight to it.
 *
 * @param message the user message, never null
 * @param replyTo the sending proxy, or null
 * @param proxyId the sending proxy's id ("" when none)
 * @param seq the proxy's sequence number, or 0 (at most once: no confirmation)
 * @param locate whether the proxy wants to learn the running incarnation
 */
public record SingletonEnvelope(Object message, ActorRef<SingletonProxy.Command> replyTo,
    String proxyId, long seq, boolean locate) implements SingletonManager.Command {
  public SingletonEnvelope {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(proxyId, "proxyId");
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative, was " + seq);
    }
    if ((seq > 0 || locate) && replyTo == null) {
      throw new IllegalArgumentException("a confirmation or location needs replyTo");
    }
  }

  /** A bare envelope: no confirmation, no location (the version-1 wire format). */
  public SingletonEnvelope(Object message) {
    this(message, null, "", 0, false);
  }

  /** Whether this needs the version-2 wire format. */
  boolean hasDeliveryFields() {
    return replyTo != null || seq > 0 || locate || !proxyId.isEmpty();
  }
}
