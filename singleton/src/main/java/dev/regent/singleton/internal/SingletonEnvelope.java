package dev.regent.singleton.internal;

import java.util.Objects;

/**
 * Internal API: a user message on its way to a singleton manager, wrapped by its sender (a proxy,
 * or a manager handing its buffer to the leader's manager). Managers accept only their
 * {@link SingletonManager.Command}s, so a user message (any type the application chose) travels in
 * this envelope, locally and between nodes alike. On the wire it is written by
 * {@link SingletonEnvelopeSerializer}: the payload with the serializer Pekko binds to its class
 * (the one the application configured for its messages), wrapped with that serializer's id and
 * manifest.
 *
 * @param message the user message, never null
 */
public record SingletonEnvelope(Object message) implements SingletonManager.Command {
  public SingletonEnvelope {
    Objects.requireNonNull(message, "message");
  }
}
