package dev.regent.multijvm.harness;

import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.leadership.LeadershipEvent;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a node's {@link RegentElection} leadership to the test's history: every
 * {@link LeadershipEvent.BecameLeader} (this node leads the term) and
 * {@link LeadershipEvent.LeaderKnown} (this node learned who leads it) becomes a
 * {@link HistoryEvent.LeaderElected}, which the {@link HistoryChecker} uses for S1. Call
 * {@link #start} from a {@link NodeSetup}. Also registers probes ({@link #VOTERS}, {@link #TERM},
 * {@link #HOLDS_LEASE}, {@link #LEADER}, {@link #SELF}) for {@code MultiJvmCluster.probe}.
 *
 * <p>It also logs the timing of this node's lease renewals (INFO, in the node's log), to tell where
 * a late renewal came from: a renewal's lease runs from the send time of the heartbeat a quorum
 * acknowledged, so {@code deadline - lease} is that send time. <em>Spacing</em> is the time between
 * the heartbeats of two consecutive renewals (the heartbeat interval when every round comes back;
 * more when heartbeats went out late or a round's acknowledgements never arrived); <em>age</em> is
 * how long after its heartbeat was sent a renewal reached this subscriber (the round trip to a
 * quorum, the leader's processing of the acknowledgement and the local delivery of the event, as
 * the singleton manager, another subscriber, sees it). Each renewal with a spacing or an age above
 * 1.5 heartbeat intervals is logged ("Late lease renewal ..."), and every 100 renewals a summary.
 */
public final class LeadershipReporter {

  private static final Logger log = LoggerFactory.getLogger(LeadershipReporter.class);

  private LeadershipReporter() {}

  /** Starts the election on {@code ctx.system()} (if not yet) and subscribes a reporter to it. */
  public static void start(NodeContext ctx) {
    RegentElection election = RegentElection.get(ctx.system());
    String self = election.selfId().toString();
    var runtime = dev.regent.toolkit.internal.shell.ElectionRuntime.get(ctx.system());
    var timings = runtime.settings().timings();
    var ref = ctx.system().systemActorOf(behavior(ctx.history(), self, election,
            new RenewalTiming(self, timings.leaseNanos(), timings.heartbeatIntervalNanos())),
        "regent-test-leadership",
        Props.empty());
    election.subscribe(ref);
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
      RegentElection election, RenewalTiming timing) {
    return Behaviors.receive(LeadershipEvent.class)
        .onMessage(LeadershipEvent.BecameLeader.class, e -> {
          history.leaderElected(election.current().lineage(), e.term(), self);
          timing.leased(e.term(), e.leaseDeadlineNanos(), System.nanoTime(), false);
          return Behaviors.same();
        })
        .onMessage(LeadershipEvent.LeaseRenewed.class, e -> {
          timing.leased(e.term(), e.leaseDeadlineNanos(), System.nanoTime(), true);
          return Behaviors.same();
        })
        .onMessage(LeadershipEvent.LeaderKnown.class, e -> {
          history.leaderElected(election.current().lineage(), e.term(), e.leader().toString());
          return Behaviors.same();
        })
        .onMessage(LeadershipEvent.class, e -> Behaviors.same())
        .build();
  }

  /** The timing of this node's lease renewals (see the class comment); one actor uses it. */
  static final class RenewalTiming {
    private static final int SUMMARY_EVERY = 100;
    private final String self;
    private final long leaseNanos;
    private final long heartbeatNanos;
    private long term = -1;
    private long lastSentAt;
    private final long[] ages = new long[SUMMARY_EVERY];
    private int count;
    private long maxSpacing;
    private int late;

    RenewalTiming(String self, long leaseNanos, long heartbeatNanos) {
      this.self = self;
      this.leaseNanos = leaseNanos;
      this.heartbeatNanos = heartbeatNanos;
    }

    void leased(long term, long deadline, long now, boolean renewal) {
      long sentAt = deadline - leaseNanos;
      if (!renewal || term != this.term) {
        this.term = term;
        this.lastSentAt = sentAt;
        return;
      }
      long spacing = sentAt - lastSentAt;
      long age = now - sentAt;
      lastSentAt = sentAt;
      long limit = heartbeatNanos * 3 / 2;
      if (spacing > limit || age > limit) {
        late++;
        log.info("Late lease renewal on node {} in term {}: spacing {} ms (heartbeats every {} ms),"
            + " age {} ms, lease left {} ms", self, term, spacing / 1_000_000,
            heartbeatNanos / 1_000_000, age / 1_000_000, (deadline - now) / 1_000_000);
      }
      maxSpacing = Math.max(maxSpacing, spacing);
      ages[count++] = age;
      if (count == SUMMARY_EVERY) {
        long[] sorted = ages.clone();
        java.util.Arrays.sort(sorted);
        log.info("Lease renewals on node {} in term {}: last {}: age p50 {} ms, p90 {} ms, max {} ms;"
            + " max spacing {} ms; late {}", self, term, SUMMARY_EVERY,
            sorted[SUMMARY_EVERY / 2] / 1_000_000, sorted[SUMMARY_EVERY * 9 / 10] / 1_000_000,
            sorted[SUMMARY_EVERY - 1] / 1_000_000, maxSpacing / 1_000_000, late);
        count = 0;
        maxSpacing = 0;
        late = 0;
      }
    }
  }
}
