package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.internal.election.ElectionEffect.BootstrapStatus;
import dev.regent.toolkit.internal.election.ElectionEffect.Campaign;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignCause;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignLossReason;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignLost;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignStarted;
import dev.regent.toolkit.internal.election.ElectionEffect.ConfigChanged;
import dev.regent.toolkit.internal.election.ElectionEffect.Elected;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaderKnown;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaderLost;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaseAcquired;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaseRenewed;
import dev.regent.toolkit.internal.election.ElectionEffect.Persist;
import dev.regent.toolkit.internal.election.ElectionEffect.RejectReason;
import dev.regent.toolkit.internal.election.ElectionEffect.Rejected;
import dev.regent.toolkit.internal.election.ElectionEffect.ReleaseHosting;
import dev.regent.toolkit.internal.election.ElectionEffect.Send;
import dev.regent.toolkit.internal.election.ElectionEffect.SteppedDown;
import dev.regent.toolkit.internal.election.ElectionEffect.VoteRefused;
import dev.regent.toolkit.internal.election.ElectionEvent.HostingReleased;
import dev.regent.toolkit.internal.election.ElectionEvent.MembershipChanged;
import dev.regent.toolkit.internal.election.ElectionEvent.Received;
import dev.regent.toolkit.internal.election.ElectionEvent.Tick;
import dev.regent.toolkit.internal.election.ElectionEvent.TransferLeadership;
import dev.regent.toolkit.internal.election.ElectionMessage.BootstrapProbe;
import dev.regent.toolkit.internal.election.ElectionMessage.BootstrapReply;
import dev.regent.toolkit.internal.election.ElectionMessage.Heartbeat;
import dev.regent.toolkit.internal.election.ElectionMessage.HeartbeatAck;
import dev.regent.toolkit.internal.election.ElectionMessage.PreVoteRequest;
import dev.regent.toolkit.internal.election.ElectionMessage.PreVoteResponse;
import dev.regent.toolkit.internal.election.ElectionMessage.TimeoutNow;
import dev.regent.toolkit.internal.election.ElectionMessage.VoteRequest;
import dev.regent.toolkit.internal.election.ElectionMessage.VoteResponse;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The election protocol as a pure, deterministic state machine: {@link #step} takes a state and an
 * event and returns the new state, the effects to carry out and when to be woken next. No I/O, no
 * clock, no threads; randomness comes from a seed carried in the state. Every protocol decision is
 * made here, including when a node may found a lineage (bootstrap), the grace after a restart and
 * the gate that lets a leader hand over only once its singleton stopped, so the simulator runs all
 * of them. The rules are explained in docs/ELECTION.md.
 */
public final class ElectionCore {

  /**
   * The furthest ahead of this node's term a message's term may be: no election history makes
   * 2^32 terms pass between two messages, so such a message is corrupt or hostile and is refused
   * rather than adopted (one adopted term near the bound would exhaust the terms of the cluster).
   */
  public static final long MAX_TERM_JUMP = 1L << 32;

  private final ElectionTimings timings;
  private final ElectionPolicy policy;
  private final Set<Defect> defects;

  public ElectionCore(ElectionTimings timings) {
    this(timings, ElectionPolicy.DEFAULTS);
  }

  public ElectionCore(ElectionTimings timings, ElectionPolicy policy) {
    this(timings, policy, EnumSet.noneOf(Defect.class));
  }

  /** Test-only: a core with deliberate bugs, to show the checkers catch them. */
  ElectionCore(ElectionTimings timings, Set<Defect> defects) {
    this(timings, ElectionPolicy.DEFAULTS, defects);
  }

  /** Test-only: a core with deliberate bugs, to show the checkers catch them. */
  ElectionCore(ElectionTimings timings, ElectionPolicy policy, Set<Defect> defects) {
    this.timings = timings.validated();
    this.policy = java.util.Objects.requireNonNull(policy, "policy");
    this.defects = defects.isEmpty() ? EnumSet.noneOf(Defect.class) : EnumSet.copyOf(defects);
  }

  public ElectionTimings timings() {
    return timings;
  }

  public ElectionPolicy policy() {
    return policy;
  }

  /**
   * The state of a node starting (or restarting) with durable state {@code hard}. A restarted node
   * is always a follower that knows no leader: no lease survives a restart. It neither votes nor
   * campaigns for a grace period: it may have promised a leader, before it stopped, not to vote for
   * anyone else, and it no longer knows when. The grace covers the longest promise it ever made
   * ({@link HardState#promiseNanos}), and at least {@code election-timeout-min}, times the drift.
   */
  public Step start(NodeId self, HardState hard, long now, long randomSeed) {
    var ids = new TreeMap<String, NodeId>();
    ids.put(self.name(), self);
    long grace = has(Defect.NO_RESTART_GRACE) ? 0 : restartGraceNanos(hard);
    var initial = new NodeState(self, hard, new Role.Follower(), Optional.empty(), Long.MIN_VALUE,
        Long.MIN_VALUE, now + grace, now, new TreeSet<>(), ids, new TreeMap<>(), Optional.empty(),
        0, new TreeSet<>(), 0, randomSeed);
    var t = new Transition(initial, now);
    t.electionDeadline = Math.max(now + t.randomElectionTimeout(), t.graceUntil);
    return t.finish();
  }

  /**
   * How often the spread of the election timeout is doubled at most after elections that brought
   * no leader (see {@code randomElectionTimeout}): 3, so at most 8 times the configured spread.
   */
  static final int MAX_BACKOFF_DOUBLINGS = 3;

  /** How long a node that starts with {@code hard} stays out of elections. */
  public long restartGraceNanos(HardState hard) {
    long promise = Math.max(timings.electionTimeoutMinNanos(), hard.promiseNanos());
    return ceilTimes(promise, 1 + timings.maxClockDrift());
  }

  /** Feeds one event. */
  public Step step(NodeState state, ElectionEvent event) {
    var t = new Transition(state, event.now());
    if (event instanceof Tick) {
      t.onTick();
    } else if (event instanceof Received r) {
      t.onMessage(r.message());
    } else if (event instanceof MembershipChanged m) {
      t.onMembership(m.eligible());
    } else if (event instanceof TransferLeadership) {
      t.onTransfer();
    } else if (event instanceof HostingReleased h) {
      t.onHostingReleased(h.term());
    }
    return t.finish();
  }

  private boolean has(Defect d) {
    return defects.contains(d);
  }

  private static long ceilTimes(long nanos, double factor) {
    return (long) Math.ceil(nanos * factor);
  }

  /** One step's worth of mutable scratch space; the outside only sees the immutable result. */
  private final class Transition {
    private final NodeId self;
    private final long now;
    private final List<ElectionEffect> effects = new ArrayList<>();
    private HardState hard;
    private HardState persisted;
    private boolean dropVoteFromNextPersist;
    private Role role;
    private Optional<NodeId> leader;
    private long leaderContactAt;
    private long promiseUntil;
    private final long graceUntil;
    private long electionDeadline;
    private SortedSet<String> eligible;
    private final TreeMap<String, NodeId> latestIds;
    private final TreeMap<String, Long> foreign;
    private Optional<NodeId> transferTarget;
    private long probeRound;
    private final TreeSet<String> probeAgreed;
    private int failedElections;
    private long random;

    Transition(NodeState s, long now) {
      this.self = s.self();
      this.now = now;
      this.hard = s.hard();
      this.persisted = s.hard();
      this.role = s.role();
      this.leader = s.leader();
      this.leaderContactAt = s.leaderContactAt();
      this.promiseUntil = s.promiseUntil();
      this.graceUntil = s.graceUntil();
      this.electionDeadline = s.electionDeadline();
      this.eligible = s.eligible();
      this.latestIds = new TreeMap<>(s.latestIds());
      this.foreign = new TreeMap<>(s.foreign());
      this.transferTarget = s.transferTarget();
      this.probeRound = s.probeRound();
      this.probeAgreed = new TreeSet<>(s.probeAgreed());
      this.failedElections = s.failedElections();
      this.random = s.random();
    }

    Step finish() {
      flushPersist();
      var state = new NodeState(self, hard, role, leader, leaderContactAt, promiseUntil,
          graceUntil, electionDeadline, eligible, latestIds, foreign, transferTarget, probeRound,
          probeAgreed, failedElections, random);
      return new Step(state, effects, wakeAt());
    }

    private long wakeAt() {
      if (role instanceof Role.Leader l) {
        long at = Math.min(l.heartbeatDueAt(), leaseEnd(l));
        return l.handingOver() ? Math.min(at, l.handOverDeadline()) : at;
      }
      return electionDeadline;
    }

    // ---- events ------------------------------------------------------------------------------

    void onTick() {
      if (role instanceof Role.Leader l) {
        if (l.handingOver() && now >= l.handOverDeadline()) {
          // The singleton did not report stopped in time: no TimeoutNow. The successor is elected
          // only once the followers' promises, which cover this lease, have run out.
          stepDown(StepDownReason.HAND_OVER_TIMED_OUT);
          return;
        }
        if (now >= leaseEnd(l)) {
          if (has(Defect.KEEP_LEASE_AFTER_LOSS) && l.hosting()) {
            role = withLease(l, now + timings.leaseNanos());
            emit(new LeaseRenewed(term(), now + timings.leaseNanos()));
          } else {
            stepDown(StepDownReason.LEASE_LOST);
            return;
          }
        }
        if (now >= ((Role.Leader) role).heartbeatDueAt()) {
          broadcastHeartbeat();
        }
      } else if (now >= electionDeadline) {
        onElectionTimeout();
      }
    }

    void onMembership(SortedSet<String> newEligible) {
      eligible = newEligible;
      // A foreign member that left is no longer a conflict.
      foreign.keySet().retainAll(eligible);
      if (config().isEmpty()) {
        maybeBootstrap();
      }
      if (role instanceof Role.Leader) {
        if (!eligible.contains(self.name())) {
          // Leaving (or being removed): hand over rather than making everyone wait for a timeout,
          // through the same gate as a requested transfer.
          onTransfer();
        } else {
          maybeChangeConfig();
        }
      }
    }

    /**
     * A hand-over, requested or because this leader left its eligible set. It is gated on the
     * singleton's stop: the successor takes its lease as soon as it wins, without waiting for this
     * lease, so nothing hosted under this term may still run when TimeoutNow leaves.
     */
    void onTransfer() {
      if (!(role instanceof Role.Leader l) || l.handingOver()) {
        return;
      }
      if (!l.hosting() || has(Defect.UNGATED_TIMEOUT_NOW)) {
        completeHandOver(); // no lease was ever taken in this term: nothing can be hosted
        return;
      }
      role = new Role.Leader(l.electedAt(), l.lastHeartbeatAt(), l.heartbeatDueAt(),
          l.ackedSentAt(), l.ackedConfig(), l.leaseDeadline(), l.hosting(),
          now + policy.handOverTimeoutNanos());
      emit(new ReleaseHosting(term()));
    }

    void onHostingReleased(long releasedTerm) {
      if (role instanceof Role.Leader l && l.handingOver() && releasedTerm == term()) {
        completeHandOver();
      }
    }

    private void completeHandOver() {
      var l = (Role.Leader) role;
      // A heartbeat first: it carries the current configuration, so the target (links keep order)
      // campaigns with it even if it had not acknowledged the latest change yet.
      broadcastHeartbeat();
      l = (Role.Leader) role;
      // The target must be able to campaign (see TransferTarget).
      Optional<NodeId> target = TransferTarget.choose(self, config(), eligible, latestIds,
          l.ackedSentAt(), l.ackedConfig());
      long term = term();
      stepDown(StepDownReason.TRANSFER);
      transferTarget = target;
      target.ifPresent(v -> send(v.name(), new TimeoutNow(term, self, lineage())));
    }

    void onMessage(ElectionMessage m) {
      if (m.from().name().equals(self.name())) {
        return; // a message from ourselves, or from an earlier incarnation of this node: ignore
      }
      if (m instanceof BootstrapProbe p) {
        onBootstrapProbe(p);
        return;
      }
      if (m instanceof BootstrapReply r) {
        onBootstrapReply(r);
        return;
      }
      if (!has(Defect.UNBOUNDED_TERM_JUMP) && m.term() - term() > MAX_TERM_JUMP) {
        emit(new Rejected(m, RejectReason.IMPLAUSIBLE_TERM));
        return;
      }
      if (!acceptLineage(m)) {
        return;
      }
      learn(m.from());
      if (m instanceof Heartbeat h) {
        onHeartbeat(h);
      } else if (m instanceof HeartbeatAck a) {
        onHeartbeatAck(a);
      } else if (m instanceof PreVoteRequest r) {
        onPreVoteRequest(r);
      } else if (m instanceof PreVoteResponse r) {
        onPreVoteResponse(r);
      } else if (m instanceof VoteRequest r) {
        onVoteRequest(r);
      } else if (m instanceof VoteResponse r) {
        onVoteResponse(r);
      } else if (m instanceof TimeoutNow x) {
        onTimeoutNow(x);
      }
    }

    // ---- lineages --------------------------------------------------------------------------

    /**
     * Whether {@code m} belongs to this node's lineage (or may found its membership in one). A node
     * without a lineage listens only to heartbeats: the first leader that reaches it adds it. A
     * message of another lineage is refused, and the conflict is remembered: this node stops
     * leading and neither campaigns nor votes while that member is around, and it answers a
     * request with a refusal in its own lineage so that the sender fails closed as well.
     */
    private boolean acceptLineage(ElectionMessage m) {
      long ours = lineage();
      if (has(Defect.NO_LINEAGE_CHECK)) {
        if (ours == Lineage.NONE && m instanceof Heartbeat) {
          return true;
        }
        return ours != Lineage.NONE;
      }
      if (ours == Lineage.NONE) {
        if (m instanceof Heartbeat) {
          return true;
        }
        emit(new Rejected(m, RejectReason.NO_LINEAGE));
        return false;
      }
      if (m.lineage() == Lineage.NONE) {
        emit(new Rejected(m, RejectReason.NO_LINEAGE));
        return false;
      }
      if (m.lineage() == ours) {
        foreign.remove(m.from().name());
        return true;
      }
      foreign.put(m.from().name(), m.lineage());
      emit(new Rejected(m, RejectReason.FOREIGN_LINEAGE));
      if (role instanceof Role.Leader) {
        stepDown(StepDownReason.LINEAGE_CONFLICT);
      }
      if (m instanceof Heartbeat h) {
        send(h.from().name(),
            new HeartbeatAck(term(), self, ours, h.sentAt(), config().id(), false));
      } else if (m instanceof PreVoteRequest r) {
        send(r.from().name(), new PreVoteResponse(term(), self, ours, false));
      } else if (m instanceof VoteRequest r) {
        send(r.from().name(), new VoteResponse(term(), self, ours, false));
      }
      return false;
    }

    // ---- bootstrap -------------------------------------------------------------------------

    /**
     * A node without a configuration founds a new lineage only when all of this holds: bootstrap
     * is enabled ({@code bootstrap-expect > 0}); it is eligible itself; it sees at least
     * {@code bootstrap-expect} eligible members; its name is the smallest of them (every node
     * agrees on one founder); no foreign lineage is around; and every other eligible member
     * answered the latest probe round that it has no configuration and that this node is the
     * founder in its view. Membership alone never founds a lineage (except when one member is
     * expected), so old voters that come back with state stop a newcomer from founding a second
     * lineage beside theirs: it waits to be added instead.
     */
    private void maybeBootstrap() {
      if (!config().isEmpty() || lineage() != Lineage.NONE || !eligible.contains(self.name())) {
        return;
      }
      if (has(Defect.MEMBERSHIP_BOOTSTRAP)) {
        if (eligible.size() == 1) {
          found();
        }
        return;
      }
      int expect = policy.bootstrapExpect();
      if (expect == 0) {
        emit(new BootstrapStatus("bootstrap is off (bootstrap-expect = 0): waiting for a leader to"
            + " add this node"));
        return;
      }
      if (!foreign.isEmpty()) {
        return;
      }
      if (eligible.size() < expect) {
        emit(new BootstrapStatus("waiting for " + expect + " eligible members before founding a"
            + " cluster, or for a leader to add this node; sees " + eligible.size()));
        return;
      }
      if (!eligible.first().equals(self.name())) {
        emit(new BootstrapStatus("waiting for " + eligible.first() + " (smallest name) to found"
            + " the cluster, or for a leader to add this node"));
        return;
      }
      if (eligible.size() == 1) {
        found();
        return;
      }
      probeRound++;
      probeAgreed.clear();
      var probe = new BootstrapProbe(term(), self, Lineage.NONE, probeRound);
      for (String name : eligible) {
        if (!name.equals(self.name())) {
          send(name, probe);
        }
      }
    }

    private void onBootstrapProbe(BootstrapProbe p) {
      String founder = eligible.isEmpty() ? "" : eligible.first();
      send(p.from().name(), new BootstrapReply(term(), self, lineage(),
          lineage() != Lineage.NONE, founder, p.round()));
    }

    private void onBootstrapReply(BootstrapReply r) {
      if (!config().isEmpty() || r.round() != probeRound || !eligible.contains(r.from().name())) {
        return;
      }
      if (r.hasState()) {
        emit(new BootstrapStatus("member " + r.from() + " has state of lineage "
            + Lineage.format(r.lineage()) + ": not founding a cluster; waiting to be added"));
        probeAgreed.clear();
        probeRound++; // this round failed; the next election timeout asks again
        return;
      }
      if (!r.founder().equals(self.name())) {
        return;
      }
      learn(r.from());
      probeAgreed.add(r.from().name());
      var others = new TreeSet<>(eligible);
      others.remove(self.name());
      if (probeAgreed.containsAll(others) && eligible.size() >= policy.bootstrapExpect()
          && eligible.first().equals(self.name()) && foreign.isEmpty()) {
        found();
      }
    }

    private void found() {
      long lineage = Lineage.mint(nextRandom());
      long firstTerm = Math.max(term(), policy.firstTerm() - 1);
      if (firstTerm != term()) {
        hard = hard.withTerm(firstTerm);
      }
      var first = VoterConfig.of(new ConfigId(term(), 1), List.of(self));
      hard = hard.withLineage(lineage, first);
      probeAgreed.clear();
      emit(new ConfigChanged(first, lineage));
      emit(new BootstrapStatus("founded lineage " + Lineage.format(lineage) + " with voters "
          + first.voters() + " (eligible: " + eligible + ")"));
      electionDeadline = Math.max(now, graceUntil);
    }

    // ---- follower and candidate side --------------------------------------------------------

    private void onElectionTimeout() {
      electionDeadline = Math.max(now + randomElectionTimeout(), promiseUntil);
      if (config().isEmpty()) {
        setLeader(Optional.empty());
        maybeBootstrap();
        return;
      }
      if (!canCampaign() || now < promiseUntil) {
        setLeader(Optional.empty());
        return;
      }
      loseCampaign(CampaignLossReason.TIMED_OUT);
      if (has(Defect.NO_PRE_VOTE)) {
        startElection(Optional.empty(), CampaignCause.ELECTION_TIMEOUT);
      } else {
        startPreVote();
      }
    }

    /**
     * Whether this node may stand for election: it has a configuration, is eligible, is past its
     * restart grace, has no lineage conflict, and terms are left. It need not be a voter of its
     * own configuration (Raft allows it too): votes and leases are counted over the configuration's
     * voters only, so safety does not depend on who the candidate is. It matters for liveness: a
     * node that holds the newest configuration but is not in it (it was being re-added when the
     * leader that wrote it died) would otherwise refuse every older candidate and be unable to
     * campaign itself, and the cluster would never elect again (the simulator found it, seed
     * 1082832). Once it leads, it adds itself back (see {@link ConfigStep}).
     */
    private boolean canCampaign() {
      return now >= graceUntil && canCampaignIgnoringGrace();
    }

    private boolean canCampaignIgnoringGrace() {
      return !config().isEmpty() && eligible.contains(self.name()) && foreign.isEmpty()
          && term() < ElectionMessage.MAX_TERM;
    }

    private void startPreVote() {
      setLeader(Optional.empty());
      announce(new CampaignStarted(Campaign.PRE_VOTE, term() + 1, CampaignCause.ELECTION_TIMEOUT));
      var tally = VoteTally.open(config()).grant(self);
      role = new Role.PreCandidate(tally);
      if (tally.result() == VoteTally.Result.WON) {
        startElection(Optional.empty(), CampaignCause.PRE_VOTE_WON);
        return;
      }
      var request = new PreVoteRequest(term() + 1, self, lineage(), config().id());
      for (NodeId v : config().voters()) {
        if (!v.equals(self)) {
          send(v.name(), request);
        }
      }
    }

    private void startElection(Optional<NodeId> transferFrom, CampaignCause cause) {
      setLeader(Optional.empty());
      hard = hard.withTerm(term() + 1).withVote(self);
      announce(new CampaignStarted(Campaign.ELECTION, term(), cause));
      transferTarget = Optional.empty();
      failedElections = Math.min(failedElections + 1, MAX_BACKOFF_DOUBLINGS + 1);
      electionDeadline = now + randomElectionTimeout();
      var tally = VoteTally.open(config()).grant(self);
      role = new Role.Candidate(tally);
      if (tally.result() == VoteTally.Result.WON) {
        becomeLeader();
        return;
      }
      var request = new VoteRequest(term(), self, lineage(), config().id(), transferFrom);
      for (NodeId v : config().voters()) {
        if (!v.equals(self)) {
          send(v.name(), request);
        }
      }
    }

    private void onPreVoteRequest(PreVoteRequest r) {
      boolean granted = r.term() > term()
          && r.configId().isAtLeast(config().id())
          && !heardFromLeaderRecently()
          && foreign.isEmpty();
      send(r.from().name(),
          new PreVoteResponse(granted ? r.term() : term(), self, lineage(), granted));
    }

    private void onPreVoteResponse(PreVoteResponse r) {
      if (r.granted()) {
        if (role instanceof Role.PreCandidate p && r.term() == term() + 1) {
          var tally = VoteTally.of(config(), p.grants(), p.refusals()).grant(r.from());
          role = new Role.PreCandidate(tally);
          if (tally.result() == VoteTally.Result.WON && canCampaign()) {
            startElection(Optional.empty(), CampaignCause.PRE_VOTE_WON);
          }
        }
      } else if (r.term() > term()) {
        adoptTerm(r.term());
      } else if (role instanceof Role.PreCandidate p) {
        var counted = VoteTally.of(config(), p.grants(), p.refusals());
        var tally = counted.refuse(r.from());
        if (!tally.equals(counted)) {
          announce(new VoteRefused(Campaign.PRE_VOTE, term() + 1, r.from()));
        }
        role = new Role.PreCandidate(tally);
        if (tally.result() == VoteTally.Result.LOST) {
          giveUp();
        }
      }
    }

    private void onVoteRequest(VoteRequest r) {
      if (r.term() < term()) {
        send(r.from().name(), new VoteResponse(term(), self, lineage(), false));
        return;
      }
      // Voters following the leader that hands over, and that leader itself, vote for the
      // successor it named without waiting out their promise: the hand-over was gated on the
      // singleton's stop, so no lease of the old term is still in use.
      boolean handOver = r.term() == term() + 1 && r.transferFrom().isPresent()
          && (r.transferFrom().equals(leader)
              || (r.transferFrom().get().equals(self)
                  && transferTarget.equals(Optional.of(r.from()))));
      boolean refuse = now < graceUntil || !foreign.isEmpty()
          || (heardFromLeaderRecently() && !handOver);
      if (refuse) {
        // The promise: no vote for anyone else while the leader we heard from (or this node, as
        // an ex-leader) may hold a lease; after a restart, no vote while we may have promised.
        send(r.from().name(), new VoteResponse(term(), self, lineage(), false));
        return;
      }
      if (r.term() > term()) {
        adoptTerm(r.term());
      }
      boolean grant = (hard.votedFor().isEmpty() || hard.votedFor().get().equals(r.from()))
          && r.configId().isAtLeast(config().id());
      if (grant) {
        hard = hard.withVote(r.from());
        electionDeadline = now + randomElectionTimeout();
        dropVoteFromNextPersist = has(Defect.VOTE_NOT_PERSISTED);
      }
      send(r.from().name(), new VoteResponse(term(), self, lineage(), grant));
    }

    private void onVoteResponse(VoteResponse r) {
      if (r.term() > term()) {
        adoptTerm(r.term());
        return;
      }
      if (!(role instanceof Role.Candidate c)) {
        return;
      }
      var tally = VoteTally.of(config(), c.grants(), c.refusals());
      if (r.granted() && r.term() == term()) {
        tally = tally.grant(r.from());
        role = new Role.Candidate(tally);
        if (tally.result() == VoteTally.Result.WON) {
          becomeLeader();
        }
      } else if (!r.granted()) {
        // A voter refusing because it still follows a leader answers in its own, lower term.
        var counted = tally;
        tally = tally.refuse(r.from());
        if (!tally.equals(counted)) {
          announce(new VoteRefused(Campaign.ELECTION, term(), r.from()));
        }
        role = new Role.Candidate(tally);
        if (tally.result() == VoteTally.Result.LOST) {
          giveUp();
        }
      }
    }

    /**
     * A (pre-)candidate that so many voters refused that it can no longer win stops asking: it
     * becomes a follower that waits for the election deadline of the round it gave up (it does
     * not campaign again at once) and keeps its term and vote. Safety is unaffected: it only
     * stops counting answers.
     */
    private void giveUp() {
      loseCampaign(CampaignLossReason.REFUSED);
      role = new Role.Follower();
    }

    private void onHeartbeat(Heartbeat h) {
      if (h.term() < term()) {
        send(h.from().name(),
            new HeartbeatAck(term(), self, lineage(), h.sentAt(), config().id(), false));
        return;
      }
      if (h.term() > term()) {
        adoptTerm(h.term());
      } else if (role instanceof Role.Leader) {
        return; // two leaders in one term cannot happen; never follow a peer of our own term
      } else if (!(role instanceof Role.Follower)) {
        loseCampaign(CampaignLossReason.OTHER_LEADER);
        role = new Role.Follower();
      }
      setLeader(Optional.of(h.from()));
      leaderContactAt = now;
      failedElections = 0;
      // The promise covers the lease the leader takes from this acknowledgement, measured in this
      // node's clock (hence the drift), whatever this node's own timings say.
      long promise = has(Defect.PER_NODE_LEASE_INEQUALITY)
          ? timings.electionTimeoutMinNanos()
          : Math.max(timings.electionTimeoutMinNanos(),
              ceilTimes(h.leaseNanos(), 1 + timings.maxClockDrift()));
      promiseUntil = Math.max(promiseUntil, now + promise);
      if (promise > hard.promiseNanos()) {
        hard = hard.withPromise(promise); // durable before the acknowledgement leaves
      }
      electionDeadline = Math.max(now + randomElectionTimeout(), promiseUntil);
      if (lineage() == Lineage.NONE) {
        // The first leader to reach a node without a configuration adds it to its lineage.
        hard = hard.withLineage(h.lineage(), h.config());
        emit(new ConfigChanged(h.config(), h.lineage()));
      } else if (h.config().id().compareTo(config().id()) > 0) {
        // The leader's configuration is authoritative; never go back to an older one that a
        // reordered heartbeat carries.
        hard = hard.withConfig(h.config());
        emit(new ConfigChanged(h.config(), lineage()));
      }
      send(h.from().name(),
          new HeartbeatAck(term(), self, lineage(), h.sentAt(), config().id(), true));
    }

    /**
     * A hand-over is campaigned for even inside the restart grace, so that a leader leaving right
     * after another node restarted (a rolling restart) does not wait a whole election timeout.
     * The grace covers a promise this node may have made before it stopped and no longer knows
     * of; that promise was made in a term of at most {@code x.term()}. A promise of an older term
     * protected a lease that ended before the leader of {@code x.term()} was elected (its voters
     * intersect the quorum that acknowledged that lease, and they kept their promises). A promise
     * of {@code x.term()} protected the lease of the leader that sent {@code TimeoutNow}, which it
     * sends only once nothing it hosted runs (the hand-over exemption). So the self-vote breaks
     * no promise that still protects a lease in use. Everything else about who may campaign holds.
     */
    private void onTimeoutNow(TimeoutNow x) {
      if (x.term() == term() && leader.equals(Optional.of(x.from()))
          && role instanceof Role.Follower && canCampaignIgnoringGrace()) {
        startElection(Optional.of(x.from()), CampaignCause.HAND_OVER);
      }
    }

    // ---- leader side ----------------------------------------------------------------------

    private void becomeLeader() {
      // Re-stamp the configuration with this term: a leader's first write in its term, like Raft's
      // no-op entry. It makes every configuration written later by an older leader lose the
      // up-to-date comparison, and it must be acknowledged before the configuration may change.
      var c = config();
      var restamped = new VoterConfig(new ConfigId(term(), c.id().index() + 1), c.voters());
      hard = hard.withConfig(restamped);
      emit(new ConfigChanged(restamped, lineage()));
      role = new Role.Leader(now, now, now, new TreeMap<>(), new TreeMap<>(), Long.MIN_VALUE,
          false, Role.Leader.NO_HAND_OVER);
      failedElections = 0;
      emit(new Elected(term()));
      setLeader(Optional.of(self));
      broadcastHeartbeat();
    }

    private void broadcastHeartbeat() {
      var l = (Role.Leader) role;
      long interval = timings.heartbeatIntervalNanos();
      // Fixed rate: the next beat is due one interval after this one was due, unless the timer
      // fell a whole interval behind (then one interval from now).
      long due = l.heartbeatDueAt() + interval;
      if (due <= now) {
        due = now + interval;
      }
      role = new Role.Leader(l.electedAt(), now, due, l.ackedSentAt(), l.ackedConfig(),
          l.leaseDeadline(), l.hosting(), l.handOverDeadline());
      var hb = new Heartbeat(term(), self, lineage(), now, config(), timings.leaseNanos());
      var sentTo = new TreeSet<String>();
      for (NodeId v : config().voters()) {
        if (!v.equals(self) && sentTo.add(v.name())) {
          send(v.name(), hb);
        }
      }
      for (String name : eligible) {
        if (!name.equals(self.name()) && sentTo.add(name)) {
          send(name, hb); // learners: they acknowledge, so the leader learns their ids
        }
      }
      updateLease();
    }

    private void onHeartbeatAck(HeartbeatAck a) {
      if (a.term() > term()) {
        adoptTerm(a.term());
        return;
      }
      if (!(role instanceof Role.Leader l) || a.term() < term() || !a.accepted()) {
        return;
      }
      long sentAt = has(Defect.LEASE_FROM_ACK_ARRIVAL) ? now : a.sentAt();
      var acked = new TreeMap<>(l.ackedSentAt());
      acked.merge(a.from(), sentAt, Math::max);
      var configs = new TreeMap<>(l.ackedConfig());
      configs.merge(a.from(), a.configId(), (x, y) -> x.compareTo(y) >= 0 ? x : y);
      role = new Role.Leader(l.electedAt(), l.lastHeartbeatAt(), l.heartbeatDueAt(), acked,
          configs, l.leaseDeadline(), l.hosting(), l.handOverDeadline());
      updateLease();
      maybeChangeConfig();
    }

    /**
     * The lease runs from the send time of the newest heartbeat that a quorum of the current
     * configuration acknowledged (the leader acknowledges its own heartbeats as it sends them).
     */
    private void updateLease() {
      var l = (Role.Leader) role;
      var acked = new TreeMap<NodeId, Long>(l.ackedSentAt());
      acked.put(self, l.lastHeartbeatAt()); // the leader acknowledges its heartbeats as it sends
      var since = QuorumClock.newestAcknowledged(config(), acked);
      if (since.isEmpty()) {
        return;
      }
      long deadline = since.getAsLong() + timings.leaseNanos();
      if (deadline <= now) {
        return;
      }
      if (!l.hosting()) {
        if (l.handingOver()) {
          return; // never take a first lease for a term that is being handed over
        }
        role = withLease(l, deadline);
        emit(new LeaseAcquired(term(), deadline));
      } else if (deadline > l.leaseDeadline()) {
        role = withLease(l, deadline);
        emit(new LeaseRenewed(term(), deadline));
      }
    }

    private Role.Leader withLease(Role.Leader l, long deadline) {
      return new Role.Leader(l.electedAt(), l.lastHeartbeatAt(), l.heartbeatDueAt(),
          l.ackedSentAt(), l.ackedConfig(), deadline, true, l.handOverDeadline());
    }

    /** When the leader must step down: its lease ends, or the grace after election does. */
    private long leaseEnd(Role.Leader l) {
      return l.hosting() ? l.leaseDeadline() : l.electedAt() + timings.leaseNanos();
    }

    /**
     * Moves the configuration one voter towards the eligible members (see {@link ConfigStep}),
     * once the current one is acknowledged by a quorum and this leader holds a lease.
     */
    private void maybeChangeConfig() {
      if (!(role instanceof Role.Leader l) || !l.hosting() || l.handingOver()) {
        return;
      }
      var c = config();
      var change = new ConfigStep(self, c, eligible, latestIds, l.ackedSentAt().keySet(),
          l.ackedConfig());
      var voters = has(Defect.MULTI_MEMBER_CHANGE) ? change.nextAllAtOnce() : change.next();
      if (voters.isEmpty()) {
        return;
      }
      var next = new VoterConfig(new ConfigId(term(), c.id().index() + 1), voters.get());
      hard = hard.withConfig(next);
      emit(new ConfigChanged(next, lineage()));
      broadcastHeartbeat();
    }

    private void stepDown(StepDownReason reason) {
      emit(new SteppedDown(term(), reason));
      if (role instanceof Role.Leader l) {
        // The leader counted its own acknowledgement in its lease: as an ex-leader it keeps that
        // promise, and votes for no one (but a successor it named) until the lease has run out.
        promiseUntil = Math.max(promiseUntil, l.lastHeartbeatAt() + timings.leaseNanos());
      }
      role = new Role.Follower();
      leaderContactAt = Long.MIN_VALUE;
      electionDeadline = Math.max(now + randomElectionTimeout(), promiseUntil);
      setLeader(Optional.empty());
    }

    // ---- shared helpers -------------------------------------------------------------------

    /** Whether a promise (to a leader, or as an ex-leader, or forgotten in a restart) holds. */
    private boolean heardFromLeaderRecently() {
      return role instanceof Role.Leader || now < promiseUntil || now < graceUntil;
    }

    private void adoptTerm(long newTerm) {
      if (role instanceof Role.Leader) {
        stepDown(StepDownReason.HIGHER_TERM);
      }
      loseCampaign(CampaignLossReason.HIGHER_TERM);
      hard = hard.withTerm(newTerm);
      transferTarget = Optional.empty();
      role = new Role.Follower();
      setLeader(Optional.empty());
    }

    private void setLeader(Optional<NodeId> newLeader) {
      if (newLeader.equals(leader)) {
        return;
      }
      leader = newLeader;
      if (newLeader.isPresent()) {
        emit(new LeaderKnown(newLeader.get(), term()));
      } else {
        emit(new LeaderLost(term()));
      }
    }

    /** The identity heard last under a name is that name's current one. */
    private void learn(NodeId id) {
      latestIds.put(id.name(), id);
    }

    private void send(String to, ElectionMessage m) {
      emit(new Send(to, m));
    }

    /**
     * Adds an effect after any pending durable write: nothing may leave the node, and nothing may
     * be announced (a lease, a leader), before the state it depends on is durable. A single-voter
     * leader sends nothing, so flushing only before sends let it announce a lease for a term it
     * had not persisted (the simulator found it: after a crash it won that term again, and two
     * incarnations got the same token).
     */
    private void emit(ElectionEffect effect) {
      flushPersist();
      effects.add(effect);
    }

    /**
     * Adds an announcement ({@link CampaignStarted}, {@link CampaignLost}, {@link VoteRefused})
     * without writing pending state first: it carries nothing that must be durable and changes
     * nothing outside the node, so it must not split or move a {@link Persist}. It may therefore
     * come before the {@code Persist} of the same step (the shell only logs and counts it).
     */
    private void announce(ElectionEffect effect) {
      effects.add(effect);
    }

    /**
     * Ends this node's campaign, if it runs one, without a win: a pre-vote for {@code term() + 1}
     * or an election of {@code term()}. Called where the core leaves the campaign, before the role
     * changes.
     */
    private void loseCampaign(CampaignLossReason reason) {
      if (role instanceof Role.PreCandidate) {
        announce(new CampaignLost(Campaign.PRE_VOTE, term() + 1, reason));
      } else if (role instanceof Role.Candidate) {
        announce(new CampaignLost(Campaign.ELECTION, term(), reason));
      }
    }

    private void flushPersist() {
      if (!hard.equals(persisted)) {
        var toWrite = dropVoteFromNextPersist
            ? new HardState(hard.term(), Optional.empty(), hard.config(), hard.lineage(),
                hard.promiseNanos())
            : hard;
        effects.add(new Persist(toWrite));
        persisted = hard;
        dropVoteFromNextPersist = false;
      }
    }

    private long term() {
      return hard.term();
    }

    private long lineage() {
      return hard.lineage();
    }

    private VoterConfig config() {
      return hard.config();
    }

    private long nextRandom() {
      random += 0x9E3779B97F4A7C15L;
      long z = random;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    /** Uniform in [min, max), from a SplitMix64 sequence carried in the state. */
    /**
     * A random election timeout in {@code [min, max)}, its spread doubled for each election this
     * node started without a leader emerging, beyond the first (at most
     * {@link #MAX_BACKOFF_DOUBLINGS} times). Two survivors whose timeouts fall within a campaign's
     * round trips of each other split the vote; on a link where a pre-vote and a vote take a good
     * part of the spread, a fixed spread lets that repeat round after round (measured: 8 elections
     * and 7.4 s for one failover at 50 ms one-way latency). Doubling makes each repeat less likely.
     * Only liveness depends on this: every timeout is still at least {@code min}, the promise.
     */
    private long randomElectionTimeout() {
      long span = timings.electionTimeoutMaxNanos() - timings.electionTimeoutMinNanos();
      int doublings = Math.max(0, Math.min(failedElections - 1, MAX_BACKOFF_DOUBLINGS));
      return timings.electionTimeoutMinNanos() + Math.floorMod(nextRandom(), span << doublings);
    }
  }
}
