package dev.regent.toolkit.internal.shell;

import dev.regent.toolkit.internal.election.ElectionCore;
import dev.regent.toolkit.internal.election.ElectionEffect;
import dev.regent.toolkit.internal.election.ElectionEvent;
import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.internal.election.NodeState;
import dev.regent.toolkit.internal.election.Role;
import dev.regent.toolkit.internal.election.Step;
import dev.regent.toolkit.internal.election.StepDownReason;
import dev.regent.toolkit.internal.logging.RateLimitedLog;
import dev.regent.toolkit.internal.state.DurableStateStore;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import dev.regent.toolkit.metrics.RegentMetrics;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Carries out the election core's effects on one node, in order: persist (fsync'd before anything
 * after it leaves the node), send, the leadership snapshot and events, metrics and logs. Also keeps
 * what the shell reports about the core's steps: elections started and lost (from role changes),
 * and the leadership dropped when the actor fails or stops. Runs on the election actor's thread;
 * sending and releasing hosting go back to the actor through {@link Shell}.
 */
final class EffectInterpreter {

  /** What only the actor can do. */
  interface Shell {
    /** Sends {@code message} to the election actor of the node named {@code to}. */
    void send(String to, ElectionMessage message);

    /** Stops everything hosted under {@code term}, then feeds {@code HostingReleased}. */
    void releaseHosting(long term);
  }

  private static final Logger log = LoggerFactory.getLogger(EffectInterpreter.class);

  private final ElectionRuntime rt;
  private final RegentMetrics metrics;
  private final DurableStateStore store;
  private final PeerDirectory peers;
  private final Shell shell;
  /** Messages the core refused (foreign lineage, no lineage, implausible term). */
  private final RateLimitedLog rejectedLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));
  /** Bootstrap progress of a node without a configuration (repeats every election timeout). */
  private final RateLimitedLog bootstrapLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(30));

  private NodeState state;
  private boolean leading;
  private long leaseDeadline;
  private Optional<NodeId> leader = Optional.empty();
  private Optional<Address> leaderAddress = Optional.empty();
  /** The event of the step being applied (for log reasons only); null at start. */
  private ElectionEvent stepEvent;
  /** The other leader this node lost and not replaced since (for the reason of an election). */
  private String lostLeader;

  EffectInterpreter(ElectionRuntime rt, DurableStateStore store, PeerDirectory peers,
      Shell shell) {
    this.rt = rt;
    this.metrics = rt.metrics();
    this.store = store;
    this.peers = peers;
    this.shell = shell;
  }

  /** The core's state after the latest step; null before the first. */
  NodeState state() {
    return state;
  }

  /** Carries out {@code s}, the core's answer to {@code cause} (null for the start). */
  void apply(Step s, ElectionEvent cause) {
    stepEvent = cause;
    try {
      apply(s);
    } finally {
      stepEvent = null;
    }
  }

  private void apply(Step s) {
    NodeState prev = state;
    state = s.state();
    rt.setLastState(state);
    MDC.put("term", Long.toString(state.term()));
    metrics.term(state.term());
    if (prev != null) {
      countRoleChange(prev, state);
    }
    for (ElectionEffect effect : s.effects()) {
      if (effect instanceof ElectionEffect.Persist p) {
        store.save(p.state()); // fsync'd before anything after it leaves this node
      } else if (effect instanceof ElectionEffect.Send snd) {
        shell.send(snd.to(), snd.message());
      } else if (effect instanceof ElectionEffect.Elected el) {
        log.info("Won the election of term {}; waiting for a quorum to grant the lease", el.term());
        metrics.electionWon(el.term());
      } else if (effect instanceof ElectionEffect.LeaseAcquired a) {
        leading = true;
        leaseDeadline = a.leaseDeadline();
        updateSnapshot();
        log.info("Leader of term {} with a lease", a.term());
        metrics.becameLeader(a.term());
        rt.publish(new LeadershipEvent.BecameLeader(a.term(), a.leaseDeadline()));
      } else if (effect instanceof ElectionEffect.LeaseRenewed r) {
        leaseDeadline = r.leaseDeadline();
        updateSnapshot();
        metrics.leaseRenewed(r.term());
        rt.publish(new LeadershipEvent.LeaseRenewed(r.term(), r.leaseDeadline()));
      } else if (effect instanceof ElectionEffect.SteppedDown d) {
        leading = false;
        updateSnapshot();
        log.info("Stepped down as leader of term {}: {}", d.term(), d.reason());
        metrics.steppedDown(d.term(), map(d.reason()));
        rt.publish(new LeadershipEvent.SteppedDown(d.term(), map(d.reason())));
      } else if (effect instanceof ElectionEffect.LeaderKnown k) {
        leader = Optional.of(k.leader());
        leaderAddress = k.leader().name().equals(rt.selfName()) ? Optional.of(rt.selfAddress())
            : peers.addressOf(k.leader().name());
        updateSnapshot();
        log.info("Leader of term {} is {}", k.term(), k.leader());
        metrics.leaderKnown(k.term(), k.leader().name());
        leaderAddress.ifPresent(a -> rt.publish(new LeadershipEvent.LeaderKnown(k.leader(), a,
            k.term())));
      } else if (effect instanceof ElectionEffect.LeaderLost l) {
        leader = Optional.empty();
        leaderAddress = Optional.empty();
        updateSnapshot();
        log.info("No leader known in term {}", l.term());
        // A failover, as this node sees it, starts when it last heard the leader it lost.
        metrics.leaderLost(l.term(), prev != null && !prev.isLeader()
            && prev.leaderContactAt() != Long.MIN_VALUE
            ? prev.leaderContactAt() : System.nanoTime());
        rt.publish(new LeadershipEvent.LeaderLost(l.term()));
      } else if (effect instanceof ElectionEffect.ConfigChanged c) {
        rt.setVoterConfig(c.config());
        log.info("Voter configuration {} (lineage {})", c.config(), Lineage.format(c.lineage()));
      } else if (effect instanceof ElectionEffect.ReleaseHosting r) {
        shell.releaseHosting(r.term());
      } else if (effect instanceof ElectionEffect.Rejected r) {
        onRejected(r);
      } else if (effect instanceof ElectionEffect.BootstrapStatus b) {
        if (state.lineage() != Lineage.NONE) {
          log.info("Bootstrap: {}", b.status()); // founded: once per cluster, always logged
        } else {
          bootstrapLog.info(b.status(), "Bootstrap: {}", b.status());
        }
      }
    }
    updateSnapshot();
  }

  private void onRejected(ElectionEffect.Rejected r) {
    ElectionMessage m = r.message();
    rt.countRejected(r.reason());
    String kind = r.reason() + ":" + m.from().name();
    Object address = peers.addressOf(m.from().name()).map(Object::toString)
        .orElse("unknown address");
    switch (r.reason()) {
      case FOREIGN_LINEAGE -> rejectedLog.error(kind, "Refused {} from member {} at {}: it belongs"
              + " to lineage {}, this node to lineage {}. Two separately founded clusters are mixed"
              + " in one Pekko cluster (a node that lost its state and founded anew, a blue/green"
              + " roll-back, a wrong seed list); no node of this lineage campaigns or votes while"
              + " it is a member. Operator: decide which lineage is the real one, stop the nodes of"
              + " the other, delete their election state and let them rejoin with"
              + " regent.election.bootstrap.expect = 0 (docs/ELECTION.md, two lineages).",
          describe(m), m.from(), address, Lineage.format(m.lineage()),
          Lineage.format(state.lineage()));
      case NO_LINEAGE -> rejectedLog.warn(kind, "Refused {} from {} at {}: {} no voter"
              + " configuration yet (lineage {}); it is added by the leader's heartbeats",
          describe(m), m.from(), address,
          state.lineage() == Lineage.NONE ? "this node has" : "the sender has",
          Lineage.format(state.lineage() == Lineage.NONE ? m.lineage() : state.lineage()));
      case IMPLAUSIBLE_TERM -> rejectedLog.warn(kind, "Refused {} from {} at {}: its term is more"
              + " than {} ahead of this node's term {} (corrupt or hostile)", describe(m),
          m.from(), address, ElectionCore.MAX_TERM_JUMP, state.term());
      default -> rejectedLog.warn(kind, "Refused {} from {}: {}", describe(m), m.from(),
          r.reason());
    }
  }

  /** {@code VoteRequest(term 3 from n1#5)}: for logs. */
  static String describe(ElectionMessage m) {
    return m.getClass().getSimpleName() + "(term " + m.term() + " from " + m.from() + ")";
  }

  /**
   * Counts elections from role transitions (the core announces only wins): entering PreCandidate
   * starts a pre-vote; entering Candidate, or a new term as Candidate, starts an election; leaving
   * Candidate other than for Leader, or a new term as Candidate, loses one. No allocation.
   */
  private void countRoleChange(NodeState prev, NodeState next) {
    Role from = prev.role();
    Role to = next.role();
    boolean newTerm = next.term() != prev.term();
    if (prev.leader().isPresent() && next.leader().isEmpty()) { // a leader lost: rare
      lostLeader = prev.leader().get().equals(next.self()) ? null
          : prev.leader().get().toString();
    } else if (next.leader().isPresent()) {
      lostLeader = null;
    }
    if (to instanceof Role.PreCandidate && !(from instanceof Role.PreCandidate)) {
      metrics.preVoteStarted(next.term());
    }
    if (from instanceof Role.Candidate && (newTerm || !(to instanceof Role.Candidate))
        && !(to instanceof Role.Leader)) {
      metrics.electionLost(prev.term());
      log.info("Election of term {} ended without a win: {}", prev.term(),
          to instanceof Role.Candidate ? "no majority in time, trying again in term " + next.term()
              : newTerm ? "saw the higher term " + next.term()
              : next.leader().map(l -> l + " won")
                  .orElse("too many voters refused; waiting for the next election timeout"));
    }
    if (to instanceof Role.Candidate && (newTerm || !(from instanceof Role.Candidate))) {
      metrics.electionStarted(next.term());
      log.info("Starting an election for term {}: {}", next.term(), electionReason(false));
    } else if (to instanceof Role.Leader && newTerm) {
      // A sole voter becomes candidate and leader within one step.
      metrics.electionStarted(next.term());
      log.info("Starting an election for term {}: {}", next.term(), electionReason(true));
    }
  }

  private String electionReason(boolean soleVoter) {
    if (stepEvent instanceof ElectionEvent.Received r
        && r.message() instanceof ElectionMessage.TimeoutNow t) {
      return "leader " + t.from() + " hands over to this node";
    }
    if (soleVoter) {
      return "this node is the only voter";
    }
    return lostLeader != null
        ? "no heartbeat from leader " + lostLeader + " within the election timeout"
        : "no leader known";
  }

  private void updateSnapshot() {
    rt.setSnapshot(new Leadership(rt.selfId(), state.term(), leader, leaderAddress, leading,
        leading ? leaseDeadline : 0L, state.lineage()));
  }

  /** No lease and no leader survive a restart or a stop: tells the subscribers so. */
  void dropLeadership(LeadershipEvent.Reason reason) {
    long term = state == null ? rt.current().term() : state.term();
    boolean wasLeading = leading;
    boolean knewLeader = leader.isPresent();
    leading = false;
    leader = Optional.empty();
    leaderAddress = Optional.empty();
    // The snapshot first: whoever reacts to the event must already see no lease.
    rt.setSnapshot(new Leadership(rt.selfId(), term, Optional.empty(), Optional.empty(), false,
        0L, state == null ? rt.current().lineage() : state.lineage()));
    if (wasLeading) {
      log.info("Stepped down as leader of term {}: {}", term, reason);
      metrics.steppedDown(term, reason);
      rt.publish(new LeadershipEvent.SteppedDown(term, reason));
    }
    if (knewLeader) {
      metrics.leaderLost(term, System.nanoTime());
      rt.publish(new LeadershipEvent.LeaderLost(term));
    }
  }

  private static LeadershipEvent.Reason map(StepDownReason r) {
    return switch (r) {
      case HIGHER_TERM -> LeadershipEvent.Reason.HIGHER_TERM;
      case LEASE_LOST -> LeadershipEvent.Reason.LEASE_LOST;
      case TRANSFER -> LeadershipEvent.Reason.TRANSFER;
      case REMOVED -> LeadershipEvent.Reason.REMOVED;
      case HAND_OVER_TIMED_OUT -> LeadershipEvent.Reason.HAND_OVER_TIMED_OUT;
      case LINEAGE_CONFLICT -> LeadershipEvent.Reason.LINEAGE_CONFLICT;
    };
  }
}
