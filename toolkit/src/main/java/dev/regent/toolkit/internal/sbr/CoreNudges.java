package dev.regent.toolkit.internal.sbr;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.InternalClusterAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends fast rejoin's {@link Rejoin.Nudge}s to the local cluster core: the resolver's parent, Pekko's
 * {@code ClusterCoreDaemon} (a downing provider's actor is its child). The messages are the core's
 * own periodic ones, {@code GossipTick}'s single-target form {@code SendGossipTo(address)} and
 * {@code LeaderActionsTick}: Pekko internals (1.x), handled by the core exactly as when its
 * scheduler sends them. If a Pekko version no longer has them (a linkage error, found at the first
 * use), the nudges are switched off with one warning and fast rejoin falls back to waiting for the
 * core's ticks.
 */
final class CoreNudges {

  private static final Logger log = LoggerFactory.getLogger(CoreNudges.class);

  private final ActorRef core;
  private boolean available = true;

  CoreNudges(ActorRef core) {
    this.core = core;
  }

  /** The core gossips its current state to the member at {@code to} now. */
  void gossipTo(Address to, ActorRef sender) {
    send(Rejoin.Nudge.GOSSIP_TO, to, sender);
  }

  /** The core runs its leader actions now (it acts only if it is the leader, on convergence). */
  void leaderActions(ActorRef sender) {
    send(Rejoin.Nudge.LEADER_ACTIONS, null, sender);
  }

  private void send(Rejoin.Nudge nudge, Address to, ActorRef sender) {
    if (!available) {
      return;
    }
    try {
      Object msg = switch (nudge) {
        case GOSSIP_TO -> new InternalClusterAction.SendGossipTo(to);
        case LEADER_ACTIONS -> InternalClusterAction.LeaderActionsTick$.MODULE$;
      };
      core.tell(msg, sender);
    } catch (LinkageError e) {
      available = false;
      log.warn("This Pekko version's cluster core has no {} message; fast rejoin waits for the"
          + " core's own gossip and leader-actions ticks instead", nudge, e);
    }
  }
}
