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
  private boolean withheld;

  void set(DeliveryId id) {
    current = id;
    withheld = false;
  }

  void clear() {
    current = null;
    withheld = false;
  }

  /** The behavior asks not to confirm the current message (see SingletonContext). */
  void withhold() {
    if (current != null) {
      withheld = true;
    }
  }

  boolean withheld() {
    return withheld;
  }

  Optional<DeliveryId> current() {
    return Optional.ofNullable(current);
  }
}
