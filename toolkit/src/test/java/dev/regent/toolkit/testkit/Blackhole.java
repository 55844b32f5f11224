package dev.regent.toolkit.testkit;

import java.time.Duration;
import java.util.Collection;
import org.apache.pekko.actor.ActorRefProvider;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import scala.concurrent.Await;

/**
 * Network partitions with Artery's test-mode blackhole (internal Pekko API, wrapped here only):
 * between actor systems in one JVM ({@link #cut}, {@link #partition}), or from one node to an
 * address (the multi-JVM harness's node side, {@link #set}). Every system must run with {@code
 * pekko.remote.artery.advanced.test-mode = on}; without it Pekko silently ignores the command, so
 * this class refuses instead.
 */
@SuppressWarnings("deprecation") // the throttler commands are the only way to blackhole in Artery
public final class Blackhole {

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

  private Blackhole() {}

  /** Drops all traffic between {@code a} and {@code b}, both ways. */
  public static void cut(ActorSystem<?> a, ActorSystem<?> b) {
    partition(java.util.List.of(a.classicSystem()), java.util.List.of(b.classicSystem()));
  }

  /** Lets traffic between {@code a} and {@code b} flow again. */
  public static void heal(ActorSystem<?> a, ActorSystem<?> b) {
    heal(java.util.List.of(a.classicSystem()), java.util.List.of(b.classicSystem()));
  }

  /** Drops all traffic between every member of {@code a} and every member of {@code b}. */
  public static void partition(Collection<org.apache.pekko.actor.ActorSystem> a,
      Collection<org.apache.pekko.actor.ActorSystem> b) {
    set(a, b, true);
  }

  /** Lets traffic between every member of {@code a} and every member of {@code b} flow again. */
  public static void heal(Collection<org.apache.pekko.actor.ActorSystem> a,
      Collection<org.apache.pekko.actor.ActorSystem> b) {
    set(a, b, false);
  }

  private static void set(Collection<org.apache.pekko.actor.ActorSystem> a,
      Collection<org.apache.pekko.actor.ActorSystem> b, boolean blackhole) {
    for (var x : a) {
      for (var y : b) {
        set(x, address(y), blackhole);
        set(y, address(x), blackhole);
      }
    }
  }

  /** Drops ({@code blackhole}) or lets through traffic between {@code system} and {@code target}, on
   * {@code system}'s side only. */
  public static void set(ActorSystem<?> system, Address target, boolean blackhole) {
    set(system.classicSystem(), target, blackhole);
  }

  /** As {@link #set(ActorSystem, Address, boolean)} for a classic actor system. */
  public static void set(org.apache.pekko.actor.ActorSystem system, Address target,
      boolean blackhole) {
    ActorRefProvider provider = ((ExtendedActorSystem) system).provider();
    if (!(provider instanceof RemoteActorRefProvider remote)) {
      throw new IllegalStateException(system + " has no remoting");
    }
    if (!remote.remoteSettings().Artery().Advanced().TestMode()) {
      throw new IllegalStateException(
          system + " runs without pekko.remote.artery.advanced.test-mode = on");
    }
    var mode = blackhole
        ? ThrottlerTransportAdapter.blackholeThrottleMode()
        : ThrottlerTransportAdapter.unthrottledThrottleMode();
    Object ok;
    try {
      ok = Await.result(
          remote.transport().managementCommand(new ThrottlerTransportAdapter.SetThrottle(
              target, ThrottlerTransportAdapter.bothDirection(), mode)),
          scala.concurrent.duration.Duration.fromNanos(COMMAND_TIMEOUT.toNanos()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot set throttle " + mode + " to " + target, e);
    }
    if (!Boolean.TRUE.equals(ok)) {
      throw new IllegalStateException("throttle command to " + target + " refused: " + ok);
    }
  }

  private static Address address(org.apache.pekko.actor.ActorSystem system) {
    return Cluster.get(system).selfMember().address();
  }
}
