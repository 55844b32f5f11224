package dev.regent.multijvm.harness;

import java.time.Duration;
import org.apache.pekko.actor.ActorRefProvider;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import scala.concurrent.Await;

/**
 * Drops or lets through all Artery traffic between this node and another, with Artery's test mode
 * (internal Pekko API, wrapped here so nothing else touches it). The node must run with
 * {@code pekko.remote.artery.advanced.test-mode = on} (the harness sets it); without it Pekko
 * silently ignores the command, so this class refuses instead.
 */
final class ArteryBlackhole {

  private ArteryBlackhole() {}

  static void set(ActorSystem<?> system, Address target, boolean blackhole) {
    ActorRefProvider provider = ((ExtendedActorSystem) Adapter.toClassic(system)).provider();
    if (!(provider instanceof RemoteActorRefProvider remote)) {
      throw new IllegalStateException(system + " has no remoting");
    }
    if (!remote.remoteSettings().Artery().Advanced().TestMode()) {
      throw new IllegalStateException(
          "node runs without pekko.remote.artery.advanced.test-mode = on");
    }
    var mode = blackhole
        ? ThrottlerTransportAdapter.blackholeThrottleMode()
        : ThrottlerTransportAdapter.unthrottledThrottleMode();
    try {
      Await.result(
          remote.transport().managementCommand(new ThrottlerTransportAdapter.SetThrottle(
              target, ThrottlerTransportAdapter.bothDirection(), mode)),
          scala.concurrent.duration.Duration.fromNanos(Duration.ofSeconds(10).toNanos()));
    } catch (Exception e) {
      throw new IllegalStateException("blackhole command failed", e);
    }
  }
}
