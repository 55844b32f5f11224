package dev.regent.toolkit.testkit;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.RemoteTransport;
import org.apache.pekko.remote.artery.ArteryTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a termination hang of Pekko 1.7's Artery, for the in-process clusters of the tests.
 *
 * <p>When an actor system terminates, Artery aborts its remoting streams and then waits, without a
 * deadline, for every one of them to complete before it unbinds its port and lets the system
 * finish terminating. Over TLS an outbound stream occasionally never completes (its TLS stage and
 * its TCP connection stay alive; about one graceful leave in 30-80 in a loop here), so the system
 * never terminates and its port stays bound. Pekko fixed it after 1.7 (apache/pekko#3247: the wait
 * is bounded by {@code pekko.remote.artery.advanced.shutdown-streams-timeout}, 2.0.0-M4 on); 1.7
 * has no such setting.
 *
 * <p>What this does is what that timeout does: once the transport has been shutting down for long
 * (so the node has left, its cluster and election are stopped, and only remoting is left), it
 * closes the remaining TCP connections and the listener, which ends the stuck streams. It acts
 * only on a system whose transport is already shutting down, so it can never cut a live node off.
 */
final class StalledRemotingShutdown {

  private static final Logger log = LoggerFactory.getLogger(StalledRemotingShutdown.class);

  private StalledRemotingShutdown() {}

  /** True when {@code system}'s Artery transport has started its shutdown. */
  static boolean transportShuttingDown(ActorSystem system) {
    if (!(((ExtendedActorSystem) system).provider() instanceof RemoteActorRefProvider remote)) {
      return false;
    }
    RemoteTransport transport = remote.transport();
    return transport instanceof ArteryTransport artery && artery.isShutdown();
  }

  /** Closes {@code system}'s remaining TCP connections and listener (Pekko IO's TCP actors). */
  static void closeConnections(ActorSystem system) {
    log.warn("{}: Artery's remoting streams did not complete in its shutdown (Pekko 1.7, "
        + "apache/pekko#3247); closing its remaining TCP connections", system);
    system.actorSelection("/system/IO-TCP/selectors/*/*").tell(PoisonPill.getInstance(), null);
  }
}
