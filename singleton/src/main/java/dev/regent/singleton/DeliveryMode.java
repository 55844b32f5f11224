package dev.regent.singleton;

import java.util.Locale;

/**
 * How a singleton's proxies deliver messages ({@code regent.singleton.delivery}); see
 * docs/SINGLETON.md, "Delivery".
 */
public enum DeliveryMode {
  /**
   * Each message is sent once. A message on its way to, or held by, an incarnation that fails is
   * lost (as with Pekko's proxy); no confirmation traffic.
   */
  AT_MOST_ONCE,
  /**
   * The proxy numbers each message, keeps it until the incarnation that processed it confirms,
   * and sends unconfirmed messages again to the next incarnation after a failover (and after
   * {@code at-least-once.resend-after} without a confirmation). Every message is processed at
   * least once while the proxy's node lives; after a failover some may be processed twice
   * (dedupe with {@link DeliveryDedupe}).
   */
  AT_LEAST_ONCE;

  /** The configuration spelling, e.g. {@code at-least-once}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static DeliveryMode fromConfig(String value) {
    for (DeliveryMode m : values()) {
      if (m.configName().equals(value)) {
        return m;
      }
    }
    return null;
  }
}
