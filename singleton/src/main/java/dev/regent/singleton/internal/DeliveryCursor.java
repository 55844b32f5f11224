package dev.regent.singleton.internal;

import dev.regent.singleton.DeliveryId;
import java.util.Optional;

/**
 * Internal API: which at-least-once message the instance's behavior is processing right now. Set
 * by the {@link SuspensionInterceptor} around each call of the behavior and read by the behavior
 * through {@code SingletonContext.currentDelivery()}; both on the instance's own thread.
 */
final class DeliveryCursor {
  private DeliveryId current;

  void set(DeliveryId id) {
    current = id;
  }

  void clear() {
    current = null;
  }

  Optional<DeliveryId> current() {
    return Optional.ofNullable(current);
  }
}
