package dev.regent.toolkit.testkit;

import java.time.Duration;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import scala.concurrent.Await;

/**
 * Network partitions between actor systems in one JVM, with Artery's test-mode blackhole (internal
 * Pekko API, wrapped here only). Every system must run with
 * {@code pekko.remote.artery.advanced.test-mode = on}. Both sides are cut, so either side's view
 * is consistent.
 */
public final class Blackhole {

  private Blackhole() {}

  /** Drops all traffic between {@code a} and {@code b}, both ways. */
  public static void cut(ActorSystem<?> a, ActorSystem<?> b) {
    set(a, address(b), ThrottlerTransportAdapter.blackholeThrottleMode());
    set(b, address(a), ThrottlerTransportAdapter.blackholeThrottleMode());
  }

  /** Lets traffic between {@code a} and {@code b} flow again. */
  public static void heal(ActorSystem<?> a, ActorSystem<?> b) {
    set(a, address(b), ThrottlerTransportAdapter.unthrottledThrottleMode());
    set(b, address(a), ThrottlerTransportAdapter.unthrottledThrottleMode());
  }

  private static Address address(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address();
  }

  private static void set(ActorSystem<?> on, Address target,
      ThrottlerTransportAdapter.ThrottleMode mode) {
    var classic = (ExtendedActorSystem) on.classicSystem();
    if (!classic.settings().config().getBoolean("pekko.remote.artery.advanced.test-mode")) {
      throw new IllegalStateException("test-mode is off in " + on + ": blackholing would do nothing");
    }
    var provider = (RemoteActorRefProvider) classic.provider();
    var done = provider.transport().managementCommand(new ThrottlerTransportAdapter.SetThrottle(
        target, ThrottlerTransportAdapter.bothDirection(), mode));
    try {
      Object ok = Await.result(done, scala.concurrent.duration.Duration.fromNanos(
          Duration.ofSeconds(5).toNanos()));
      if (!Boolean.TRUE.equals(ok)) {
        throw new IllegalStateException("throttle command refused: " + ok);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot set throttle " + mode + " to " + target, e);
    }
  }
}
