package dev.regent.toolkit.election;

import dev.regent.toolkit.election.ElectionEffect.ConfigChanged;
import dev.regent.toolkit.election.ElectionEffect.Elected;
import dev.regent.toolkit.election.ElectionEffect.LeaderKnown;
import dev.regent.toolkit.election.ElectionEffect.LeaderLost;
import dev.regent.toolkit.election.ElectionEffect.LeaseAcquired;
import dev.regent.toolkit.election.ElectionEffect.LeaseRenewed;
import dev.regent.toolkit.election.ElectionEffect.Persist;
import dev.regent.toolkit.election.ElectionEffect.Send;
import dev.regent.toolkit.election.ElectionEffect.SteppedDown;
import dev.regent.toolkit.election.ElectionEvent.MembershipChanged;
import dev.regent.toolkit.election.ElectionEvent.Received;
import dev.regent.toolkit.election.ElectionEvent.Tick;
import dev.regent.toolkit.election.ElectionEvent.TransferLeadership;
import dev.regent.toolkit.election.ElectionMessage.Heartbeat;
import dev.regent.toolkit.election.ElectionMessage.HeartbeatAck;
import dev.regent.toolkit.election.ElectionMessage.PreVoteRequest;
import dev.regent.toolkit.election.ElectionMessage.PreVoteResponse;
import dev.regent.toolkit.election.ElectionMessage.TimeoutNow;
import dev.regent.toolkit.election.ElectionMessage.VoteRequest;
import dev.regent.toolkit.election.ElectionMessage.VoteResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The election protocol as a pure, deterministic state machine: {@link #step} takes a state and an
 * event and returns the new state, the effects to carry out and when to be woken next. No I/O, no
 * clock, no threads; randomness comes from a seed carried in the state. The rules are explained in
 * docs/ELECTION.md.
 */
public final class ElectionCore {

  private final ElectionTimings timings;
  private final Set<Defect> defects;

  public ElectionCore(ElectionTimings timings) {
    this(timings, EnumSet.noneOf(Defect.class));
  }

  /** Test-only: a core with deliberate bugs, to show the checkers catch them. */
  ElectionCore(ElectionTimings timings, Set<Defect> defects) {
    this.timings = timings.validated();
    this.defects = defects.isEmpty() ? EnumSet.noneOf(Defect.class) : EnumSet.copyOf(defects);
  }

  public ElectionTimings timings() {
    return timings;
  }

  /**
   * The state of a node starting (or restarting) with durable state {@code hard}. A restarted node
   * is always a follower that knows no leader: no lease survives a restart.
   */
  public Step start(NodeId self, HardState hard, long now, long randomSeed) {
    var ids = new TreeMap<String, NodeId>();
    ids.put(self.name(), self);
    var initial = new NodeState(self, hard, new Role.Follower(), Optional.empty(), Long.MIN_VALUE,
        now, new TreeSet<>(), ids, randomSeed);
    var t = new Transition(initial, now);
    t.electionDeadline = now + t.randomElectionTimeout();
    return t.finish();
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
    }
    return t.finish();
  }

  private boolean has(Defect d) {
    return defects.contains(d);
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
    private long electionDeadline;
    private SortedSet<String> eligible;
    private final TreeMap<String, NodeId> latestIds;
    private long random;

    Transition(NodeState s, long now) {
      this.self = s.self();
      this.now = now;
      this.hard = s.hard();
      this.persisted = s.hard();
      this.role = s.role();
      this.leader = s.leader();
      this.leaderContactAt = s.leaderContactAt();
      this.electionDeadline = s.electionDeadline();
      this.eligible = s.eligible();
      this.latestIds = new TreeMap<>(s.latestIds());
      this.random = s.random();
    }

    Step finish() {
      flushPersist();
      var state = new NodeState(self, hard, role, leader, leaderContactAt, electionDeadline,
          eligible, latestIds, random);
      return new Step(state, effects, wakeAt());
    }

    private long wakeAt() {
      if (role instanceof Role.Leader l) {
        return Math.min(l.heartbeatDueAt(), leaseEnd(l));
      }
      return electionDeadline;
    }

    // ---- events ------------------------------------------------------------------------------

    void onTick() {
      maybeBootstrap();
      if (role instanceof Role.Leader l) {
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
      maybeBootstrap();
      if (role instanceof Role.Leader) {
        if (!eligible.contains(self.name())) {
          // Leaving (or being removed): hand over now rather than making everyone wait for a timeout.
          onTransfer();
        } else {
          maybeChangeConfig();
        }
      }
    }

    void onTransfer() {
      if (!(role instanceof Role.Leader)) {
        return;
      }
      // A heartbeat first: it carries the current configuration, so the target (links keep order)
      // campaigns with it even if it had not acknowledged the latest change yet.
      broadcastHeartbeat();
      var l = (Role.Leader) role;
      // The target must be able to campaign: a voter that is no longer eligible (leaving, downed,
      // not Up) or that restarted as a newer incarnation ignores TimeoutNow, and the hand-over
      // would then wait a whole election timeout. Among those that can: the one that has the
      // current configuration, then the freshest acknowledgement. Only if none can, any voter
      // that acknowledged (as before; it changes nothing for safety, only who is asked).
      Optional<NodeId> target = Optional.empty();
      boolean bestCanCampaign = false;
      boolean bestHasConfig = false;
      long best = Long.MIN_VALUE;
      for (NodeId v : config().voters()) {
        Long at = l.ackedSentAt().get(v);
        if (v.equals(self) || at == null) {
          continue;
        }
        boolean canCampaign =
            eligible.contains(v.name()) && latestIds.getOrDefault(v.name(), v).equals(v);
        boolean hasConfig = config().id().equals(l.ackedConfig().get(v));
        int byCampaign = Boolean.compare(canCampaign, bestCanCampaign);
        int byConfig = Boolean.compare(hasConfig, bestHasConfig);
        if (target.isEmpty() || byCampaign > 0
            || (byCampaign == 0 && (byConfig > 0 || (byConfig == 0 && at > best)))) {
          target = Optional.of(v);
          bestCanCampaign = canCampaign;
          bestHasConfig = hasConfig;
          best = at;
        }
      }
      long term = term();
      stepDown(StepDownReason.TRANSFER);
      target.ifPresent(v -> send(v.name(), new TimeoutNow(term, self)));
    }

    void onMessage(ElectionMessage m) {
      if (m.from().name().equals(self.name())) {
        return; // a message from ourselves, or from an earlier incarnation of this node: ignore
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

    // ---- follower and candidate side --------------------------------------------------------

    private void onElectionTimeout() {
      electionDeadline = now + randomElectionTimeout();
      if (!canCampaign()) {
        setLeader(Optional.empty());
        return;
      }
      if (has(Defect.NO_PRE_VOTE)) {
        startElection(Optional.empty());
      } else {
        startPreVote();
      }
    }

    private boolean canCampaign() {
      return config().isVoter(self) && eligible.contains(self.name());
    }

    private void startPreVote() {
      setLeader(Optional.empty());
      var grants = new TreeSet<NodeId>();
      grants.add(self);
      role = new Role.PreCandidate(grants);
      if (config().isQuorum(grants)) {
        startElection(Optional.empty());
        return;
      }
      var request = new PreVoteRequest(term() + 1, self, config().id());
      for (NodeId v : config().voters()) {
        if (!v.equals(self)) {
          send(v.name(), request);
        }
      }
    }

    private void startElection(Optional<NodeId> transferFrom) {
      setLeader(Optional.empty());
      hard = hard.withTerm(term() + 1).withVote(self);
      electionDeadline = now + randomElectionTimeout();
      var grants = new TreeSet<NodeId>();
      grants.add(self);
      role = new Role.Candidate(grants);
      if (config().isQuorum(grants)) {
        becomeLeader();
        return;
      }
      var request = new VoteRequest(term(), self, config().id(), transferFrom);
      for (NodeId v : config().voters()) {
        if (!v.equals(self)) {
          send(v.name(), request);
        }
      }
    }

    private void onPreVoteRequest(PreVoteRequest r) {
      boolean granted = r.term() > term()
          && r.configId().isAtLeast(config().id())
          && !heardFromLeaderRecently();
      send(r.from().name(), new PreVoteResponse(granted ? r.term() : term(), self, granted));
    }

    private void onPreVoteResponse(PreVoteResponse r) {
      if (r.granted()) {
        if (role instanceof Role.PreCandidate p && r.term() == term() + 1
            && config().isVoter(r.from())) {
          var grants = new TreeSet<>(p.grants());
          grants.add(r.from());
          role = new Role.PreCandidate(grants);
          if (config().isQuorum(grants)) {
            startElection(Optional.empty());
          }
        }
      } else if (r.term() > term()) {
        adoptTerm(r.term());
      }
    }

    private void onVoteRequest(VoteRequest r) {
      if (r.term() < term()) {
        send(r.from().name(), new VoteResponse(term(), self, false));
        return;
      }
      boolean handOver = r.transferFrom().isPresent() && r.transferFrom().equals(leader)
          && r.term() == term() + 1;
      if (heardFromLeaderRecently() && !handOver) {
        // The promise: no vote for anyone else while the leader we heard from may hold a lease.
        send(r.from().name(), new VoteResponse(term(), self, false));
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
      send(r.from().name(), new VoteResponse(term(), self, grant));
    }

    private void onVoteResponse(VoteResponse r) {
      if (r.term() > term()) {
        adoptTerm(r.term());
        return;
      }
      if (role instanceof Role.Candidate c && r.term() == term() && r.granted()
          && config().isVoter(r.from())) {
        var grants = new TreeSet<>(c.grants());
        grants.add(r.from());
        role = new Role.Candidate(grants);
        if (config().isQuorum(grants)) {
          becomeLeader();
        }
      }
    }

    private void onHeartbeat(Heartbeat h) {
      if (h.term() < term()) {
        send(h.from().name(), new HeartbeatAck(term(), self, h.sentAt(), config().id(), false));
        return;
      }
      if (h.term() > term()) {
        adoptTerm(h.term());
      } else if (role instanceof Role.Leader) {
        return; // two leaders in one term cannot happen; never follow a peer of our own term
      } else if (!(role instanceof Role.Follower)) {
        role = new Role.Follower();
      }
      setLeader(Optional.of(h.from()));
      leaderContactAt = now;
      electionDeadline = now + randomElectionTimeout();
      if (h.config().id().compareTo(config().id()) > 0) {
        // The leader's configuration is authoritative; never go back to an older one that a
        // reordered heartbeat carries.
        hard = hard.withConfig(h.config());
        emit(new ConfigChanged(h.config()));
      }
      send(h.from().name(), new HeartbeatAck(term(), self, h.sentAt(), config().id(), true));
    }

    private void onTimeoutNow(TimeoutNow x) {
      if (x.term() == term() && leader.equals(Optional.of(x.from()))
          && role instanceof Role.Follower && canCampaign()) {
        startElection(Optional.of(x.from()));
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
      emit(new ConfigChanged(restamped));
      role = new Role.Leader(now, now, now, new TreeMap<>(), new TreeMap<>(), Long.MIN_VALUE,
          false);
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
          l.leaseDeadline(), l.hosting());
      var hb = new Heartbeat(term(), self, now, config());
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
          configs, l.leaseDeadline(), l.hosting());
      updateLease();
      maybeChangeConfig();
    }

    /**
     * The lease runs from the send time of the newest heartbeat that a quorum of the current
     * configuration acknowledged (the leader acknowledges its own heartbeats as it sends them).
     */
    private void updateLease() {
      var l = (Role.Leader) role;
      var times = new ArrayList<Long>();
      for (NodeId v : config().voters()) {
        Long at = v.equals(self) ? Long.valueOf(l.lastHeartbeatAt()) : l.ackedSentAt().get(v);
        if (at != null) {
          times.add(at);
        }
      }
      int q = config().quorumSize();
      if (config().isEmpty() || times.size() < q) {
        return;
      }
      times.sort((x, y) -> Long.compare(y, x));
      long deadline = times.get(q - 1) + timings.leaseNanos();
      if (deadline <= now) {
        return;
      }
      if (!l.hosting()) {
        role = withLease(l, deadline);
        emit(new LeaseAcquired(term(), deadline));
      } else if (deadline > l.leaseDeadline()) {
        role = withLease(l, deadline);
        emit(new LeaseRenewed(term(), deadline));
      }
    }

    private Role.Leader withLease(Role.Leader l, long deadline) {
      return new Role.Leader(l.electedAt(), l.lastHeartbeatAt(), l.heartbeatDueAt(),
          l.ackedSentAt(), l.ackedConfig(), deadline, true);
    }

    /** When the leader must step down: its lease ends, or the grace after election does. */
    private long leaseEnd(Role.Leader l) {
      return l.hosting() ? l.leaseDeadline() : l.electedAt() + timings.leaseNanos();
    }

    /**
     * Moves the configuration one voter towards the eligible members, once the current one is
     * acknowledged by a quorum and this leader holds a lease. Removals go first: downed members
     * cannot acknowledge, so shrinking first keeps the quorum reachable.
     */
    private void maybeChangeConfig() {
      if (!(role instanceof Role.Leader l) || !l.hosting() || !eligible.contains(self.name())) {
        return;
      }
      var c = config();
      var ackedCurrent = new ArrayList<NodeId>();
      ackedCurrent.add(self);
      for (Map.Entry<NodeId, ConfigId> e : l.ackedConfig().entrySet()) {
        if (e.getValue().equals(c.id())) {
          ackedCurrent.add(e.getKey());
        }
      }
      if (!c.isQuorum(ackedCurrent)) {
        return;
      }
      var removals = new ArrayList<NodeId>();
      for (NodeId v : c.voters()) {
        NodeId newest = latestIds.getOrDefault(v.name(), v);
        if (!v.equals(self)
            && (!eligible.contains(v.name()) || newest.stateId() > v.stateId())) {
          removals.add(v);
        }
      }
      var additions = addable(c, l);
      var voters = new TreeSet<>(c.voters());
      if (has(Defect.MULTI_MEMBER_CHANGE)) {
        voters.removeAll(removals);
        voters.addAll(additions);
      } else if (!removals.isEmpty()) {
        voters.remove(removals.get(0));
      } else if (!additions.isEmpty()) {
        voters.add(additions.get(0));
      }
      if (voters.equals(c.voters())) {
        return;
      }
      var next = new VoterConfig(new ConfigId(term(), c.id().index() + 1), voters);
      hard = hard.withConfig(next);
      emit(new ConfigChanged(next));
      broadcastHeartbeat();
    }

    /** Eligible members this leader has heard acknowledge, that are not voters yet. */
    private List<NodeId> addable(VoterConfig c, Role.Leader l) {
      var out = new ArrayList<NodeId>();
      for (String name : eligible) {
        NodeId id = latestIds.get(name);
        if (id != null && !c.isVoter(id) && l.ackedSentAt().containsKey(id)) {
          out.add(id);
        }
      }
      return out;
    }

    private void stepDown(StepDownReason reason) {
      emit(new SteppedDown(term(), reason));
      role = new Role.Follower();
      leaderContactAt = Long.MIN_VALUE;
      electionDeadline = now + randomElectionTimeout();
      setLeader(Optional.empty());
    }

    // ---- shared helpers -------------------------------------------------------------------

    private boolean heardFromLeaderRecently() {
      return role instanceof Role.Leader
          || (leader.isPresent() && now < leaderContactAt + timings.electionTimeoutMinNanos());
    }

    private void adoptTerm(long newTerm) {
      if (role instanceof Role.Leader) {
        stepDown(StepDownReason.HIGHER_TERM);
      }
      hard = hard.withTerm(newTerm);
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

    private void maybeBootstrap() {
      // The node that formed the cluster alone writes the first configuration: itself. Only a
      // sole member may do so: "the oldest member without a configuration" is not safe, since
      // a first node that restarts rejoins as the youngest and a second lineage could start in
      // term 1 beside its own (the simulator found exactly that).
      if (config().isEmpty() && eligible.size() == 1 && eligible.contains(self.name())) {
        var first = VoterConfig.of(new ConfigId(term(), 1), List.of(self));
        hard = hard.withConfig(first);
        emit(new ConfigChanged(first));
      }
    }

    private void learn(NodeId id) {
      latestIds.merge(id.name(), id, (a, b) -> a.stateId() >= b.stateId() ? a : b);
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

    private void flushPersist() {
      if (!hard.equals(persisted)) {
        var toWrite = dropVoteFromNextPersist
            ? new HardState(hard.term(), Optional.empty(), hard.config())
            : hard;
        effects.add(new Persist(toWrite));
        persisted = hard;
        dropVoteFromNextPersist = false;
      }
    }

    private long term() {
      return hard.term();
    }

    private VoterConfig config() {
      return hard.config();
    }

    /** Uniform in [min, max), from a SplitMix64 sequence carried in the state. */
    private long randomElectionTimeout() {
      random += 0x9E3779B97F4A7C15L;
      long z = random;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z = z ^ (z >>> 31);
      long span = timings.electionTimeoutMaxNanos() - timings.electionTimeoutMinNanos();
      return timings.electionTimeoutMinNanos() + Math.floorMod(z, span);
    }
  }
}
