package dev.regent.toolkit.internal.sbr;

import java.time.Duration;
import java.util.Collection;
import java.util.OptionalLong;

/**
 * Fast rejoin of a node restarted at the address of a member (pure rules; the resolver actor
 * applies them).
 *
 * <p>Pekko admits one incarnation per host:port. When a new incarnation sends {@code Join} while
 * the old one is still a member, the receiving member's cluster core marks the old one
 * {@code Terminated} in its reachability and downs it at once (Pekko's {@code ClusterCoreDaemon},
 * "New incarnation of existing member is trying to join"), but it drops the join: the new node
 * tries again only after {@code pekko.cluster.retry-unsuccessful-join-after} (10 s by default),
 * although the leader removes the downed incarnation within a gossip round or two. So a new
 * incarnation never appears as {@code Joining} beside the old one, and there is nothing left for a
 * resolver to down; what is missing is telling the new node that it may join now.
 *
 * <p>The rule: when the leader's resolver removes a member that was {@code Down} and recorded
 * {@code Terminated} by some observer (what the core does to an old incarnation on the new one's
 * join, and what a quarantine does; a crashed member that was only unreachable gets no hint), it
 * sends a {@link RejoinHint} to the resolver at that address. There, a process that is a new
 * incarnation (another uid), is not a member yet, joins by itself (seed nodes configured) and has
 * not acted on a hint in the last {@link #MIN_INTERVAL}, joins the sender at once. The sender has
 * removed the old incarnation, so that join is accepted; if it fails, Pekko's own retry remains.
 *
 * <p>Two waits of Pekko's membership remain on that path, each a gossip round plus the leader's
 * next leader-actions tick (1 s each by default): removing the old incarnation, and moving the new
 * one from Joining to Up. Pekko's own restart pays the second one too; the first one is what a
 * restart while the old incarnation is still a member costs on top of a plain join (measured about
 * 1-1.7 s of a 4-6 s restart). So the resolver also nudges its local cluster core on this path only
 * ({@link Nudge}): the member that downed an old incarnation gossips the Down to the other members
 * at once ({@link #gossipAfterDown}); the leader runs its leader actions as soon as its gossip has
 * converged while an old incarnation waits for removal or a hinted new incarnation waits to be
 * moved Up ({@link #leaderActionsNow}), gossips the new incarnation's Joining to the others
 * ({@link #gossipOnHintedJoin}) and its Up to it. These are the core's own periodic actions, run
 * earlier: they decide nothing new (removal and Up still require convergence, which the core
 * checks itself), and they down nobody.
 */
final class Rejoin {

  /** Hints within this long after a hinted rejoin are ignored (the first one's join is under way). */
  static final Duration MIN_INTERVAL = Duration.ofSeconds(3);

  private Rejoin() {}

  /**
   * Whether the leader, having removed {@code removed}, hints its address.
   *
   * @param removed the removed incarnation
   * @param previous its status before removal
   * @param terminated whether some member recorded it {@code Terminated} (not just unreachable)
   * @param self the deciding member
   * @param responsible whether {@code self} takes the resolver's decisions (leader, Up)
   * @param members the remaining members
   */
  static boolean hintAfterRemoval(Node removed, MemberStatus previous, boolean terminated,
      Node self, boolean responsible, Collection<Node> members) {
    if (!responsible || previous != MemberStatus.DOWN || !terminated
        || removed.isAt(self.host(), self.port())) {
      return false;
    }
    // A member at that address already (the new incarnation got in): nothing to tell.
    return members.stream().noneMatch(n -> n.isAt(removed.host(), removed.port()));
  }

  /**
   * Whether this member, having seen {@code downed} marked Down, gossips that at once to the other
   * members instead of at its next gossip tick: only on the fast-rejoin path, i.e. {@code self}
   * itself recorded the member {@code Terminated} (what its cluster core does when a new
   * incarnation at that address asks it to join, or on a quarantine), and not about itself.
   */
  static boolean gossipAfterDown(Node downed, boolean terminatedBySelf, Node self) {
    return terminatedBySelf && !downed.isAt(self.host(), self.port());
  }

  /**
   * Whether the leader, seeing {@code joining} become a member (Joining), gossips that at once to the
   * other members, so its gossip converges without waiting for a gossip tick: only for an address it
   * sent a {@link RejoinHint} to (a new incarnation it just told to join).
   */
  static boolean gossipOnHintedJoin(boolean leader, Node joining, Collection<String> hintedHostPorts) {
    return leader && hintedHostPorts.contains(joining.host() + ":" + joining.port());
  }

  /**
   * Whether the leader runs its leader actions now instead of at its next leader-actions tick.
   *
   * @param leader whether this member is the cluster leader
   * @param convergence whether the last published gossip state had converged (the core checks again)
   * @param oldIncarnationDown whether a member that is Down and recorded {@code Terminated} waits
   *     for removal (an old incarnation on a new one's join)
   * @param hintedJoining whether a member at an address this leader hinted is still Joining
   */
  static boolean leaderActionsNow(boolean leader, boolean convergence, boolean oldIncarnationDown,
      boolean hintedJoining) {
    return leader && convergence && (oldIncarnationDown || hintedJoining);
  }

  /** A nudge to the local cluster core (see the class comment). */
  enum Nudge {
    /** Send the current gossip to one member now. */
    GOSSIP_TO,
    /** Run the leader actions now (removal, Joining to Up: on convergence only, as at a tick). */
    LEADER_ACTIONS;
  }

  /** What a resolver does with a {@link RejoinHint}. */
  enum Action {
    /** Join the sender now. */
    REJOIN,
    /** The hint is about this very incarnation (it was removed; it does not come back). */
    OWN_INCARNATION,
    /** The hint names another address (misrouted). */
    OTHER_ADDRESS,
    /** This node is a member already. */
    MEMBER,
    /** No seed nodes configured: the node was not told to join by itself; leave it to its owner. */
    NO_SEEDS,
    /** A hinted rejoin less than {@link #MIN_INTERVAL} ago. */
    RECENT;
  }

  /**
   * @param hint the hint received
   * @param self this incarnation
   * @param selfIsMember whether this incarnation is in the membership it knows (joined)
   * @param seedsConfigured whether {@code pekko.cluster.seed-nodes} is non-empty
   * @param nowNanos monotonic now
   * @param lastRejoinNanos when this node last acted on a hint, if ever
   */
  static Action onHint(RejoinHint hint, Node self, boolean selfIsMember, boolean seedsConfigured,
      long nowNanos, OptionalLong lastRejoinNanos) {
    if (!self.isAt(hint.host(), hint.port())) {
      return Action.OTHER_ADDRESS;
    }
    if (hint.removedUid() == self.uid()) {
      return Action.OWN_INCARNATION;
    }
    if (selfIsMember) {
      return Action.MEMBER;
    }
    if (!seedsConfigured) {
      return Action.NO_SEEDS;
    }
    if (lastRejoinNanos.isPresent()
        && nowNanos - lastRejoinNanos.getAsLong() < MIN_INTERVAL.toNanos()) {
      return Action.RECENT;
    }
    return Action.REJOIN;
  }
}
