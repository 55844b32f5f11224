package dev.regent.singleton;

import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;

/**
 * Cuts or heals the link between two in-JVM nodes with Artery's test-mode blackhole (internal
 * Pekko API, kept in this one class; needs {@code pekko.remote.artery.advanced.test-mode = on}).
 * Both sides are set, so each drops what it sends to and receives from the other.
 */
final class Blackhole {

  private Blackhole() {}

  static void cut(ActorSystem<?> a, ActorSystem<?> b) {
    set(a, b, ThrottlerTransportAdapter.blackholeThrottleMode());
    set(b, a, ThrottlerTransportAdapter.blackholeThrottleMode());
  }

  static void heal(ActorSystem<?> a, ActorSystem<?> b) {
    set(a, b, ThrottlerTransportAdapter.unthrottledThrottleMode());
    set(b, a, ThrottlerTransportAdapter.unthrottledThrottleMode());
  }

  private static void set(ActorSystem<?> on, ActorSystem<?> peer,
      ThrottlerTransportAdapter.ThrottleMode mode) {
    var provider = (RemoteActorRefProvider) ((ExtendedActorSystem) on.classicSystem()).provider();
    if (!provider.remoteSettings().Artery().Advanced().TestMode()) {
      throw new IllegalStateException("pekko.remote.artery.advanced.test-mode is off");
    }
    Address target = Cluster.get(peer).selfMember().address();
    provider.transport().managementCommand(new ThrottlerTransportAdapter.SetThrottle(
        target, ThrottlerTransportAdapter.bothDirection(), mode));
  }
}
