package dev.regent.toolkit.sbr;

import java.time.Duration;
import java.util.Collection;
import org.apache.pekko.actor.ActorRefProvider;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import scala.concurrent.Await;

/**
 * Cuts and heals traffic between ActorSystems in one JVM with Artery's test mode (internal Pekko
 * API, wrapped here so nothing else touches it). Every node must run with {@code
 * pekko.remote.artery.advanced.test-mode = on}; without it Pekko silently ignores the command, so
 * this class refuses instead.
 */
@SuppressWarnings("deprecation") // the throttler commands are the only way to blackhole in Artery
public final class ArteryBlackhole {

  private ArteryBlackhole() {}

  /** Drops all traffic between every member of {@code a} and every member of {@code b}. */
  public static void partition(Collection<ActorSystem> a, Collection<ActorSystem> b) {
    set(a, b, ThrottlerTransportAdapter.blackholeThrottleMode());
  }

  /** Lets traffic between {@code a} and {@code b} flow again. */
  public static void heal(Collection<ActorSystem> a, Collection<ActorSystem> b) {
    set(a, b, ThrottlerTransportAdapter.unthrottledThrottleMode());
  }

  private static void set(Collection<ActorSystem> a, Collection<ActorSystem> b,
      ThrottlerTransportAdapter.ThrottleMode mode) {
    for (ActorSystem x : a) {
      for (ActorSystem y : b) {
        command(x, address(y), mode);
        command(y, address(x), mode);
      }
    }
  }

  /** Drops traffic between {@code system} and {@code target} (on {@code system}'s side only). */
  public static void blackhole(ActorSystem system, Address target) {
    command(system, target, ThrottlerTransportAdapter.blackholeThrottleMode());
  }

  /** Lets traffic between {@code system} and {@code target} flow again (on this side). */
  public static void heal(ActorSystem system, Address target) {
    command(system, target, ThrottlerTransportAdapter.unthrottledThrottleMode());
  }

  private static void command(ActorSystem system, Address target,
      ThrottlerTransportAdapter.ThrottleMode mode) {
    ActorRefProvider provider = ((ExtendedActorSystem) system).provider();
    if (!(provider instanceof RemoteActorRefProvider remote)) {
      throw new IllegalStateException(system + " has no remoting");
    }
    if (!remote.remoteSettings().Artery().Advanced().TestMode()) {
      throw new IllegalStateException(
          system + " runs without pekko.remote.artery.advanced.test-mode = on");
    }
    try {
      Await.result(
          remote.transport().managementCommand(new ThrottlerTransportAdapter.SetThrottle(
              target, ThrottlerTransportAdapter.bothDirection(), mode)),
          scala.concurrent.duration.Duration.fromNanos(Duration.ofSeconds(10).toNanos()));
    } catch (Exception e) {
      throw new IllegalStateException("blackhole command failed", e);
    }
  }

  private static Address address(ActorSystem system) {
    return Cluster.get(system).selfMember().address();
  }
}
