package dev.regent.multijvm.harness;

import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.leadership.RegentElection;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Reports a node's {@link RegentElection} leadership to the test's history: every
 * {@link LeadershipEvent.BecameLeader} (this node leads the term) and
 * {@link LeadershipEvent.LeaderKnown} (this node learned who leads it) becomes a
 * {@link HistoryEvent.LeaderElected}, which the {@link HistoryChecker} uses for S1. Call
 * {@link #start} from a {@link NodeSetup}. Also registers probes ({@link #VOTERS}, {@link #TERM},
 * {@link #HOLDS_LEASE}, {@link #LEADER}, {@link #SELF}) for {@code MultiJvmCluster.probe}.
 */
public final class LeadershipReporter {

  private LeadershipReporter() {}

  /** Starts the election on {@code ctx.system()} (if not yet) and subscribes a reporter to it. */
  public static void start(NodeContext ctx) {
    RegentElection election = RegentElection.get(ctx.system());
    String self = election.selfId().toString();
    var ref = ctx.system().systemActorOf(behavior(ctx.history(), self, election),
        "regent-test-leadership",
        Props.empty());
    election.subscribe(ref);
    var runtime = dev.regent.toolkit.internal.election.ElectionRuntime.get(ctx.system());
    ctx.probe(VOTERS, () -> Integer.toString(runtime.voterConfig().voters().size()));
    ctx.probe(TERM, () -> Long.toString(election.current().term()));
    ctx.probe(HOLDS_LEASE, () -> Boolean.toString(election.current().holdsLease()));
    ctx.probe(LEADER, () -> election.current().leader().map(Object::toString).orElse(""));
    ctx.probe(SELF, () -> self);
  }

  /** Probe: how many voters this node's voter configuration has. */
  public static final String VOTERS = "regent.voters";
  /** Probe: this node's current term. */
  public static final String TERM = "regent.term";
  /** Probe: whether this node holds the lease now. */
  public static final String HOLDS_LEASE = "regent.holds-lease";
  /** Probe: the leader this node knows of in its current term (its voter id), or "" if none. */
  public static final String LEADER = "regent.leader";
  /** Probe: this node's voter id (as {@link #LEADER} names it). */
  public static final String SELF = "regent.self";

  /**
   * Leadership events carry no lineage: the reporter takes it from the election's snapshot when it
   * handles the event. A node adopts its lineage before it can lead or learn of a leader, and keeps
   * it for the life of the process, so the snapshot's lineage is the event's.
   */
  private static Behavior<LeadershipEvent> behavior(HistoryRecorder history, String self,
      RegentElection election) {
    return Behaviors.receive(LeadershipEvent.class)
        .onMessage(LeadershipEvent.BecameLeader.class, e -> {
          history.leaderElected(election.current().lineage(), e.term(), self);
          return Behaviors.same();
        })
        .onMessage(LeadershipEvent.LeaderKnown.class, e -> {
          history.leaderElected(election.current().lineage(), e.term(), e.leader().toString());
          return Behaviors.same();
        })
        .onMessage(LeadershipEvent.class, e -> Behaviors.same())
        .build();
  }
}
