package dev.regent.singleton;

import java.util.Objects;

/**
 * Which message a singleton is processing in at-least-once mode: the sending proxy's id (unique
 * per proxy incarnation: its actor ref in serialized form, address, path and uid) and the proxy's
 * sequence number of the message (from 1, in the order the proxy received its messages). A
 * message sent again after a failover keeps its id, so the id is the key to dedupe by
 * ({@link DeliveryDedupe}). See {@link SingletonContext#currentDelivery()}.
 */
public record DeliveryId(String proxyId, long seq) {
  public DeliveryId {
    Objects.requireNonNull(proxyId, "proxyId");
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be positive, was " + seq);
    }
  }
}
