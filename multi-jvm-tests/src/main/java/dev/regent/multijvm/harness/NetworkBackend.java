package dev.regent.multijvm.harness;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a {@link MultiJvmCluster}'s nodes run and how its network faults are made.
 *
 * <ul>
 *   <li>{@link #LOOPBACK}: every node on 127.0.0.1 of the test's own network namespace;
 *       partitions with Artery's test-mode blackhole (inside Pekko, set over each node's control
 *       channel). No delay, loss or link faults. Runs anywhere.
 *   <li>{@link #NETNS}: every node in its own Linux network namespace with its own address in
 *       198.18.0.0/24 on a bridge; partitions, one-way partitions, loss, duplication, delay and
 *       link down done by the kernel ({@link NetnsNetwork}). Needs root, iproute2, iptables and
 *       python3.
 * </ul>
 *
 * <p>The default is the system property {@value #PROPERTY} ({@code loopback} or {@code netns}),
 * else {@link #LOOPBACK}; {@link MultiJvmCluster.Builder#network} overrides it per cluster.
 */
public enum NetworkBackend {
  LOOPBACK,
  NETNS;

  public static final String PROPERTY = "regent.multijvm.network";

  /** The backend {@value #PROPERTY} names, else {@link #LOOPBACK}. */
  public static NetworkBackend fromSystemProperty() {
    String v = System.getProperty(PROPERTY, "loopback").trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "", "loopback" -> LOOPBACK;
      case "netns" -> NETNS;
      default -> throw new IllegalArgumentException(
          "-D" + PROPERTY + " must be loopback or netns, not '" + v + "'");
    };
  }

  /**
   * Why this backend cannot run on this machine (not root, a tool missing), or empty when it can.
   * {@link #LOOPBACK} always can.
   */
  public Optional<String> unavailableReason() {
    return this == LOOPBACK ? Optional.empty() : NetnsNetwork.unavailableReason();
  }
}
