package dev.regent.toolkit.internal.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.internal.election.ElectionEffect.Campaign;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignLossReason;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignLost;
import dev.regent.toolkit.internal.election.ElectionEffect.ConfigChanged;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaseAcquired;
import dev.regent.toolkit.internal.election.ElectionEffect.Persist;
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
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One test per protocol rule of the pure core. */
class ElectionCoreTest {

  private static final long MS = 1_000_000L;
  private static final ElectionTimings T = ElectionTimings.DEFAULTS;
  private static final NodeId A = new NodeId("a", 1);
  private static final NodeId B = new NodeId("b", 1);
  private static final NodeId C = new NodeId("c", 1);
  private static final VoterConfig ABC = VoterConfig.of(new ConfigId(0, 1), List.of(A, B, C));
  private static final TreeSet<String> ALL = new TreeSet<>(List.of("a", "b", "c"));
  /** The lineage of state written without one (ABC is given to the 3-argument HardState). */
  private static final long L = Lineage.LEGACY;
  /** The lease a leader with the default timings announces in its heartbeats. */
  private static final long LEASE = T.leaseNanos();
  /**
   * How long a node that just started neither votes nor campaigns: election-timeout-min x (1 +
   * drift), since it cannot know what it promised before it (re)started.
   */
  private static final long GRACE = (long) Math.ceil(T.electionTimeoutMinNanos() * 1.1);

  private final ElectionCore core = new ElectionCore(T);

  /** A node driven by hand, remembering every effect. */
  private final class Driver {
    final ElectionCore core;
    NodeState state;
    final List<ElectionEffect> effects = new ArrayList<>();
    long wakeAt;

    Driver(NodeId self, HardState hard, long now) {
      this(ElectionCoreTest.this.core, self, hard, now);
    }

    Driver(ElectionCore core, NodeId self, HardState hard, long now) {
      this.core = core;
      apply(core.start(self, hard, now, 42));
    }

    Driver feed(ElectionEvent e) {
      effects.clear();
      apply(core.step(state, e));
      return this;
    }

    private void apply(Step s) {
      state = s.state();
      effects.addAll(s.effects());
      wakeAt = s.wakeAt();
    }

    <T extends ElectionEffect> List<T> of(Class<T> type) {
      return effects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<ElectionMessage> sent() {
      return of(Send.class).stream().map(Send::message).toList();
    }

    /** The effects without campaign announcements, which may precede a step's Persist. */
    List<ElectionEffect> carried() {
      return effects.stream().filter(e -> !Simulation.isAnnouncement(e)).toList();
    }
  }

  private Driver follower(NodeId self) {
    var d = new Driver(self, new HardState(0, Optional.empty(), ABC), 0);
    d.feed(new MembershipChanged(0, ALL));
    return d;
  }

  /** Drives {@code a} to leadership with a lease in term 1 (b grants and acknowledges). */
  private Driver leaderA() {
    var a = follower(A);
    a.feed(new Tick(a.wakeAt));
    long t = a.wakeAt;
    a.feed(new Received(t, new PreVoteResponse(1, B, L, true)));
    a.feed(new Received(t, new VoteResponse(1, B, L, true)));
    assertTrue(a.state.isLeader());
    var hb = (Heartbeat) a.sent().stream().filter(Heartbeat.class::isInstance).findFirst().get();
    a.feed(new Received(t + MS, new HeartbeatAck(1, B, L, hb.sentAt(), hb.config().id(), true)));
    assertTrue(a.state.holdsLease(t + MS));
    return a;
  }

  /**
   * With the default policy (bootstrap-expect 1) a node alone founds a lineage at once. New rule:
   * the founder mints a lineage id, and it still waits out the grace that follows every start
   * before its first election (it cannot know whether it promised anyone a vote before).
   */
  @Test
  void soleMemberBootstrapsItsConfigurationAndLeadsWithALease() {
    var d = new Driver(A, HardState.INITIAL, 0);
    d.feed(new MembershipChanged(0, new TreeSet<>(List.of("a"))));
    assertEquals(VoterConfig.of(new ConfigId(0, 1), List.of(A)), d.state.config());
    long lineage = d.state.lineage();
    assertTrue(lineage != Lineage.NONE && lineage != Lineage.LEGACY, "a fresh lineage is minted");
    assertEquals(List.of(new ConfigChanged(d.state.config(), lineage)), d.of(ConfigChanged.class));
    assertEquals(lineage, d.of(Persist.class).get(0).state().lineage(), "the lineage is durable");
    assertEquals(GRACE, d.wakeAt, "the first election waits for the restart grace");
    d.feed(new Tick(d.wakeAt - 1));
    assertFalse(d.state.isLeader());
    d.feed(new Tick(d.wakeAt));
    assertTrue(d.state.isLeader());
    assertEquals(1, d.state.term());
    assertEquals(1, d.of(LeaseAcquired.class).size());
    assertInstanceOf(Persist.class, d.carried().get(0),
        "the new term is durable before the lease is announced");
  }

  /**
   * New rule: with other eligible members around, the smallest name does not found on
   * membership alone; it probes the others (and keeps probing at each election timeout) and
   * founds only once every other member answered that it has no state. Nothing it sends is an
   * election message: a node that is no voter never campaigns. The others only wait.
   */
  @Test
  void nodeWithoutConfigurationDoesNotBootstrapWhenOthersAreMembers() {
    var d = new Driver(A, HardState.INITIAL, 0);
    d.feed(new MembershipChanged(0, ALL));
    assertTrue(d.state.config().isEmpty());
    assertEquals(List.of(new BootstrapProbe(0, A, Lineage.NONE, 1),
        new BootstrapProbe(0, A, Lineage.NONE, 1)), d.sent(), "probes b and c");
    assertEquals(List.of("b", "c"), d.of(Send.class).stream().map(Send::to).toList());
    d.feed(new Tick(d.wakeAt));
    assertFalse(d.state.isLeader());
    assertTrue(d.state.config().isEmpty());
    assertTrue(d.sent().stream().allMatch(BootstrapProbe.class::isInstance),
        "a node that is no voter never campaigns; it only asks again: " + d.sent());
    var b = new Driver(B, HardState.INITIAL, 0);
    b.feed(new MembershipChanged(0, ALL));
    b.feed(new Tick(b.wakeAt));
    assertTrue(b.sent().isEmpty(), "only the smallest name may found, so only it probes");
    assertTrue(b.state.config().isEmpty());
  }

  @Test
  void electionTimeoutIsRandomisedWithinBoundsAndDeterministicPerSeed() {
    var d1 = follower(A);
    var d2 = follower(A);
    assertEquals(d1.wakeAt, d2.wakeAt, "same seed, same timeout");
    var seen = new TreeSet<Long>();
    var d = follower(A);
    for (int i = 0; i < 50; i++) {
      long before = d.wakeAt;
      d.feed(new Received(before, new Heartbeat(1, B, L, 0, ABC, LEASE)));
      long timeout = d.wakeAt - before;
      assertTrue(timeout >= T.electionTimeoutMinNanos() && timeout < T.electionTimeoutMaxNanos());
      seen.add(timeout);
    }
    assertTrue(seen.size() > 40, "timeouts vary");
  }

  @Test
  void timeoutStartsPreVoteWithoutRaisingTheTerm() {
    var a = follower(A);
    a.feed(new Tick(a.wakeAt));
    assertInstanceOf(Role.PreCandidate.class, a.state.role());
    assertEquals(0, a.state.term());
    assertTrue(a.of(Persist.class).isEmpty());
    assertEquals(List.of(new PreVoteRequest(1, A, L, ABC.id()), new PreVoteRequest(1, A, L, ABC.id())),
        a.sent());
  }

  @Test
  void preVoteQuorumStartsTheRealElectionAndPersistsTermAndVoteBeforeAsking() {
    var a = follower(A);
    a.feed(new Tick(a.wakeAt));
    a.feed(new Received(a.wakeAt, new PreVoteResponse(1, B, L, true)));
    assertInstanceOf(Role.Candidate.class, a.state.role());
    assertEquals(1, a.state.term());
    assertInstanceOf(Persist.class, a.carried().get(0), "persist comes before any send");
    assertEquals(Optional.of(A), a.of(Persist.class).get(0).state().votedFor());
  }

  /**
   * New rule (issue 16): a pre-candidate counts refusals and gives up once it can no longer win.
   * It becomes a follower that waits for the deadline of the round it gave up: it does not ask
   * again at once, and a late grant does not revive the round.
   */
  @Test
  void preCandidateGivesUpWhenTooManyVotersRefuseAndWaitsForItsNextTimeout() {
    var a = follower(A);
    a.feed(new Tick(a.wakeAt));
    long t = a.wakeAt;
    long deadline = a.wakeAt;
    a.feed(new Received(t, new PreVoteResponse(0, new NodeId("x", 1), L, false)));
    assertInstanceOf(Role.PreCandidate.class, a.state.role(), "a non-voter's refusal is ignored");
    a.feed(new Received(t, new PreVoteResponse(0, B, L, false)));
    assertEquals(new Role.PreCandidate(new TreeSet<>(List.of(A)), new TreeSet<>(List.of(B))),
        a.state.role(), "one refusal of three: still pending");
    a.feed(new Received(t, new PreVoteResponse(0, C, L, false)));
    assertInstanceOf(Role.Follower.class, a.state.role(), "two of three refused: lost");
    assertEquals(List.of(new VoteRefused(Campaign.PRE_VOTE, 1, C),
            new CampaignLost(Campaign.PRE_VOTE, 1, CampaignLossReason.REFUSED)), a.effects,
        "giving up sends and persists nothing; it announces the refusal and the lost pre-vote");
    assertEquals(0, a.state.term());
    assertEquals(deadline, a.wakeAt, "waits for the deadline of the round it gave up");
    a.feed(new Received(t + MS, new PreVoteResponse(1, B, L, true)));
    assertInstanceOf(Role.Follower.class, a.state.role(), "a late grant does not revive it");
    a.feed(new Tick(deadline - 1));
    assertInstanceOf(Role.Follower.class, a.state.role(), "no campaign before its timeout");
    a.feed(new Tick(deadline));
    assertInstanceOf(Role.PreCandidate.class, a.state.role(), "the next round at its timeout");
  }

  /**
   * New rule (issue 16): a candidate counts refusals too, including those a voter sends in its
   * own lower term (it still follows a leader and did not adopt the candidate's term), and gives
   * up keeping its term and its vote for itself.
   */
  @Test
  void candidateGivesUpWhenTooManyVotersRefuseKeepingTermAndVote() {
    var a = follower(A);
    a.feed(new Tick(a.wakeAt));
    a.feed(new Received(a.wakeAt, new PreVoteResponse(1, B, L, true)));
    assertInstanceOf(Role.Candidate.class, a.state.role());
    long t = a.wakeAt;
    long deadline = a.wakeAt;
    a.feed(new Received(t, new VoteResponse(0, B, L, false)));
    assertInstanceOf(Role.Candidate.class, a.state.role(), "one refusal of three: pending");
    a.feed(new Received(t, new VoteResponse(1, C, L, false)));
    assertInstanceOf(Role.Follower.class, a.state.role());
    assertEquals(List.of(new VoteRefused(Campaign.ELECTION, 1, C),
            new CampaignLost(Campaign.ELECTION, 1, CampaignLossReason.REFUSED)), a.effects,
        "giving up sends and persists nothing; it announces the refusal and the lost election");
    assertEquals(1, a.state.term());
    assertEquals(Optional.of(A), a.state.hard().votedFor());
    assertEquals(deadline, a.wakeAt);
    a.feed(new Received(t, new VoteResponse(1, B, L, true)));
    assertFalse(a.state.isLeader(), "a late grant does not revive the round");
    var d = new NodeId("d", 1);
    a.feed(new Received(t, new VoteRequest(1, d, L, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(1, A, L, false)), a.sent(), "still voted for itself");
  }

  /** A grant after a refusal of the same voter (a later copy of the request) still counts. */
  @Test
  void aGrantReplacesARefusalOfTheSameVoter() {
    var a = follower(A);
    a.feed(new Tick(a.wakeAt));
    a.feed(new Received(a.wakeAt, new PreVoteResponse(1, B, L, true)));
    long t = a.wakeAt;
    a.feed(new Received(t, new VoteResponse(0, B, L, false)));
    a.feed(new Received(t, new VoteResponse(1, B, L, true)));
    assertTrue(a.state.isLeader());
  }

  /** The requests arrive after the restart grace (see {@link #freshNodeNeitherVotesNorCampaignsDuringItsGrace}). */
  @Test
  void votesOncePerTermAndPersistsTheVoteBeforeReplying() {
    var c = follower(C);
    c.feed(new Received(GRACE + 10 * MS, new VoteRequest(1, A, L, ABC.id(), Optional.empty())));
    assertInstanceOf(Persist.class, c.effects.get(0));
    assertEquals(Optional.of(A), c.of(Persist.class).get(0).state().votedFor());
    assertEquals(List.of(new VoteResponse(1, C, L, true)), c.sent());
    c.feed(new Received(GRACE + 11 * MS, new VoteRequest(1, B, L, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(1, C, L, false)), c.sent());
  }

  /**
   * After the restart grace (during it a request is refused before its term is even looked at,
   * see {@link #freshNodeNeitherVotesNorCampaignsDuringItsGrace}).
   */
  @Test
  void refusesCandidatesWithAnOlderConfiguration() {
    var newer = VoterConfig.of(new ConfigId(3, 4), List.of(A, B, C));
    var c = new Driver(C, new HardState(3, Optional.empty(), newer), 0);
    c.feed(new Received(GRACE + MS, new VoteRequest(4, A, L, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(4, C, L, false)), c.sent());
    assertEquals(4, c.state.term(), "the higher term is adopted even though the vote is refused");
    c.feed(new Received(GRACE + MS, new PreVoteRequest(5, A, L, ABC.id())));
    assertEquals(List.of(new PreVoteResponse(4, C, L, false)), c.sent());
  }

  /**
   * The heartbeat arrives after the restart grace, so that only the promise is at work. With the
   * default timings the promise is election-timeout-min (700 ms), which is more than the
   * announced lease x (1 + drift) (550 ms).
   */
  @Test
  void followerThatHeardFromALeaderRefusesVotesUntilItsPromiseRunsOut() {
    var c = follower(C);
    long t0 = GRACE;
    c.feed(new Received(t0, new Heartbeat(1, A, L, 0, ABC, LEASE)));
    assertEquals(t0 + T.electionTimeoutMinNanos(), c.state.promiseUntil());
    long within = t0 + T.electionTimeoutMinNanos() - MS;
    c.feed(new Received(within, new VoteRequest(2, B, L, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(1, C, L, false)), c.sent());
    assertEquals(1, c.state.term(), "a refused request does not even raise the term");
    c.feed(new Received(within, new PreVoteRequest(2, B, L, ABC.id())));
    assertEquals(List.of(new PreVoteResponse(1, C, L, false)), c.sent());
    long after = t0 + T.electionTimeoutMinNanos() + MS;
    c.feed(new Received(after, new VoteRequest(2, B, L, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(2, C, L, true)), c.sent());
  }

  @Test
  void leaseRunsFromTheSendTimeOfTheHeartbeatAQuorumAcknowledged() {
    var a = follower(A);
    a.feed(new Tick(a.wakeAt));
    long t = a.wakeAt;
    a.feed(new Received(t, new PreVoteResponse(1, B, L, true)));
    a.feed(new Received(t, new VoteResponse(1, B, L, true)));
    var hb = (Heartbeat) a.sent().stream().filter(Heartbeat.class::isInstance).findFirst().get();
    long arrival = hb.sentAt() + 300 * MS;
    a.feed(new Received(arrival, new HeartbeatAck(1, B, L, hb.sentAt(), hb.config().id(), true)));
    var acquired = a.of(LeaseAcquired.class);
    assertEquals(1, acquired.size());
    assertEquals(hb.sentAt() + T.leaseNanos(), acquired.get(0).leaseDeadline(),
        "measured from the send, not the arrival");
  }

  @Test
  void newLeaderRestampsTheConfigurationWithItsTerm() {
    var a = leaderA();
    assertEquals(new ConfigId(1, 2), a.state.config().id());
    assertEquals(ABC.voters(), a.state.config().voters());
  }

  @Test
  void leaderWithoutQuorumAcknowledgementsStepsDownWhenTheLeaseEnds() {
    var a = leaderA();
    long deadline = ((Role.Leader) a.state.role()).leaseDeadline();
    a.feed(new Tick(deadline));
    assertEquals(List.of(new SteppedDown(1, StepDownReason.LEASE_LOST)),
        a.of(SteppedDown.class));
    assertFalse(a.state.isLeader());
  }

  @Test
  void higherTermInAnAcknowledgementDeposesTheLeader() {
    var a = leaderA();
    a.feed(new Received(a.wakeAt, new HeartbeatAck(5, C, L, 0, ABC.id(), false)));
    assertEquals(List.of(new SteppedDown(1, StepDownReason.HIGHER_TERM)),
        a.of(SteppedDown.class));
    assertEquals(5, a.state.term());
  }

  @Test
  void leaderIgnoresVoteRequestsWhileItLeads() {
    var a = leaderA();
    a.feed(new Received(a.wakeAt, new VoteRequest(7, C, L, new ConfigId(9, 9), Optional.empty())));
    assertTrue(a.state.isLeader());
    assertEquals(1, a.state.term());
  }

  /**
   * New rule (the stop gate): a leader that holds a lease first asks its node to stop what it
   * hosts ({@code ReleaseHosting}) and keeps leading; it hands over (heartbeat, step-down,
   * TimeoutNow) only once told {@code HostingReleased} for its term.
   */
  @Test
  void transferHandsOverWithTimeoutNowAndVotersFollowingTheOldLeaderGrantAtOnce() {
    var a = leaderA();
    long t = a.wakeAt;
    a.feed(new TransferLeadership(t));
    assertEquals(List.of(new ReleaseHosting(1)), a.effects, "the singleton stops first");
    assertTrue(a.state.isLeader());
    a.feed(new HostingReleased(t, 2));
    assertTrue(a.state.isLeader(), "a release of another term does not count");
    a.feed(new HostingReleased(t, 1));
    assertEquals(List.of(new SteppedDown(1, StepDownReason.TRANSFER)), a.of(SteppedDown.class));
    var sent = a.sent();
    assertInstanceOf(Heartbeat.class, sent.get(0), "the configuration goes out first");
    assertEquals(new TimeoutNow(1, A, L), sent.get(sent.size() - 1));

    var b = follower(B);
    b.feed(new Received(t, new Heartbeat(1, A, L, 0, a.state.config(), LEASE)));
    b.feed(new Received(t + MS, new TimeoutNow(1, A, L)));
    var request = (VoteRequest) b.sent().get(0);
    assertEquals(Optional.of(A), request.transferFrom());
    assertEquals(2, request.term());

    var c = follower(C);
    c.feed(new Received(t, new Heartbeat(1, A, L, 0, a.state.config(), LEASE)));
    c.feed(new Received(t + 2 * MS, request));
    assertEquals(List.of(new VoteResponse(2, C, L, true)), c.sent(),
        "the promise to A is released by A's own hand-over");
    var forged = new VoteRequest(2, B, L, request.configId(), Optional.of(C));
    var c2 = follower(C);
    c2.feed(new Received(t, new Heartbeat(1, A, L, 0, a.state.config(), LEASE)));
    c2.feed(new Received(t + 2 * MS, forged));
    assertEquals(List.of(new VoteResponse(1, C, L, false)), c2.sent(),
        "a hand-over claimed from someone else does not release the promise");
  }

  /**
   * The leader retires in the same membership step that shows another voter leaving (a rolling
   * shutdown, or two nodes stopped at once). The voter with the freshest acknowledgement is the
   * leaving one: it cannot campaign, so a TimeoutNow sent there is ignored and the hand-over would
   * wait a whole election timeout. The leader must ask a voter that can campaign.
   */
  @Test
  void transferTargetsAVoterThatCanCampaignNotOneThatIsLeaving() {
    var a = leaderA();
    var config = a.state.config();
    long t = a.wakeAt;
    long firstSentAt = ((Role.Leader) a.state.role()).ackedSentAt().get(B);
    a.feed(new Received(t, new HeartbeatAck(1, C, L, firstSentAt, config.id(), true)));
    a.feed(new Tick(a.wakeAt)); // the next heartbeat: b acknowledges it, c does not (yet)
    long t2 = a.wakeAt;
    var next = (Heartbeat) a.sent().stream().filter(Heartbeat.class::isInstance).findFirst().get();
    a.feed(new Received(t2, new HeartbeatAck(1, B, L, next.sentAt(), config.id(), true)));
    assertTrue(a.state.isLeader());

    // a retires and b is leaving, seen in one membership step: only c is eligible. New rule: the
    // hand-over goes through the stop gate as a requested transfer does.
    a.feed(new MembershipChanged(t2 + MS, new TreeSet<>(List.of("c"))));
    assertEquals(List.of(new ReleaseHosting(1)), a.effects);
    a.feed(new HostingReleased(t2 + MS, 1));
    assertEquals(List.of(new SteppedDown(1, StepDownReason.TRANSFER)), a.of(SteppedDown.class));
    var timeoutNows = a.of(Send.class).stream()
        .filter(s -> s.message() instanceof TimeoutNow).toList();
    assertEquals(List.of(new Send("c", new TimeoutNow(1, A, L))), timeoutNows,
        "TimeoutNow goes to c, which can campaign, not to b, which is leaving");

    // Why it matters: b, leaving, would drop it; c campaigns at once and wins with a's vote.
    var b = follower(B);
    b.feed(new Received(t2, new Heartbeat(1, A, L, 0, config, LEASE)));
    b.feed(new MembershipChanged(t2, new TreeSet<>(List.of("a", "c"))));
    b.feed(new Received(t2 + 2 * MS, new TimeoutNow(1, A, L)));
    assertTrue(b.sent().isEmpty(), "a voter that is leaving does not campaign");
    var c = follower(C);
    c.feed(new Received(t2, new Heartbeat(1, A, L, 0, config, LEASE)));
    c.feed(new Received(t2 + 2 * MS, new TimeoutNow(1, A, L)));
    var request = (VoteRequest) c.sent().get(0);
    assertEquals(Optional.of(A), request.transferFrom());
    a.feed(new Received(t2 + 3 * MS, request));
    assertEquals(List.of(new VoteResponse(2, A, L, true)), a.sent(),
        "the old leader, which gave up its lease, votes at once");
    c.feed(new Received(t2 + 4 * MS, new VoteResponse(2, A, L, true)));
    assertTrue(c.state.isLeader(), "c leads term 2 one vote round trip after the hand-over");
    assertEquals(2, c.state.term());
  }

  @Test
  void heartbeatsKeepAFixedRateWhenTimersFireLate() {
    var a = leaderA();
    long interval = T.heartbeatIntervalNanos();
    long firstDue = a.wakeAt;
    a.feed(new Tick(firstDue + 20 * MS)); // the timer fired 20 ms late
    assertEquals(firstDue + interval, ((Role.Leader) a.state.role()).heartbeatDueAt());
  }

  @Test
  void followersNeverGoBackToAnOlderConfiguration() {
    var c = follower(C);
    var newer = VoterConfig.of(new ConfigId(1, 3), List.of(A, B, C, new NodeId("d", 1)));
    c.feed(new Received(0, new Heartbeat(1, A, L, 0, newer, LEASE)));
    assertEquals(newer, c.state.config());
    c.feed(new Received(MS, new Heartbeat(1, A, L, 0, ABC, LEASE)));
    assertEquals(newer, c.state.config());
  }

  @Test
  void leaderAddsJoinersOneAtATimeOnceTheyAcknowledge() {
    var a = leaderA();
    var d = new NodeId("d", 1);
    var e = new NodeId("e", 1);
    long t = a.wakeAt;
    a.feed(new MembershipChanged(t, new TreeSet<>(List.of("a", "b", "c", "d", "e"))));
    a.feed(new Tick(t));
    var config = a.state.config();
    a.feed(new Received(t + MS, new HeartbeatAck(1, d, L, t, ConfigId.NONE, true)));
    a.feed(new Received(t + MS, new HeartbeatAck(1, e, L, t, ConfigId.NONE, true)));
    a.feed(new Received(t + MS, new HeartbeatAck(1, B, L, t, config.id(), true)));
    assertEquals(4, a.state.config().voters().size(), "one voter per change");
    var four = a.state.config();
    // The next change waits until a quorum of the new configuration acknowledged it.
    a.feed(new Received(t + 2 * MS, new HeartbeatAck(1, e, L, t, ConfigId.NONE, true)));
    assertEquals(four, a.state.config());
    a.feed(new Received(t + 3 * MS, new HeartbeatAck(1, B, L, t, four.id(), true)));
    a.feed(new Received(t + 3 * MS, new HeartbeatAck(1, d, L, t, four.id(), true)));
    assertEquals(5, a.state.config().voters().size());
  }

  @Test
  void leaderRemovesAVoterWhoseStateWasLostBeforeAddingItsNewIdentity() {
    var a = leaderA();
    long t = a.wakeAt;
    var bReborn = new NodeId("b", 2);
    a.feed(new Received(t, new HeartbeatAck(1, C, L, t, a.state.config().id(), true)));
    a.feed(new Received(t, new HeartbeatAck(1, bReborn, L, t, ConfigId.NONE, true)));
    assertFalse(a.state.config().isVoter(B), "the old identity goes first");
    assertFalse(a.state.config().isVoter(bReborn));
  }

  @Test
  void messagesFromAnEarlierIncarnationOfThisNodeAreIgnored() {
    var c = follower(C);
    c.feed(new Received(MS, new VoteRequest(3, new NodeId("c", 0), L, ABC.id(), Optional.empty())));
    assertTrue(c.effects.isEmpty());
  }

  @Test
  void unsafeTimingsAreRejected() {
    var tooLong = new ElectionTimings(100 * MS, 700 * MS, 1000 * MS, 650 * MS, 0.1);
    var e = assertThrows(IllegalArgumentException.class, () -> new ElectionCore(tooLong));
    assertTrue(e.getMessage().contains("LEASE"), e.getMessage());
    var slowHeartbeat = new ElectionTimings(300 * MS, 700 * MS, 1000 * MS, 500 * MS, 0.1);
    assertTrue(slowHeartbeat.violations().stream()
        .anyMatch(v -> v.parameter() == ElectionTimings.Parameter.HEARTBEAT_INTERVAL));
    assertTrue(ElectionTimings.DEFAULTS.violations().isEmpty());
  }

  /**
   * New rule (issue 13, scenario 2): after every start a node neither grants a pre-vote, votes nor
   * campaigns for election-timeout-min x (1 + drift), or for the longest promise it ever made (it
   * is durable) x (1 + drift) if that is longer: it cannot know how recent its last promise was.
   */
  @Test
  void freshNodeNeitherVotesNorCampaignsDuringItsGrace() {
    var c = follower(C);
    assertEquals(GRACE, c.state.graceUntil());
    assertTrue(c.wakeAt >= GRACE, "no election timeout before the grace ends");
    c.feed(new Received(GRACE - MS, new PreVoteRequest(1, A, L, ABC.id())));
    assertEquals(List.of(new PreVoteResponse(0, C, L, false)), c.sent());
    c.feed(new Received(GRACE - MS, new VoteRequest(1, A, L, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(0, C, L, false)), c.sent());
    assertEquals(0, c.state.term(), "a refused request does not raise the term");
    c.feed(new Received(GRACE, new VoteRequest(1, A, L, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(1, C, L, true)), c.sent());

    var promisedLonger = new HardState(0, Optional.empty(), ABC, L, 2_000 * MS);
    assertEquals(2_200 * MS, core.restartGraceNanos(promisedLonger));
    var c2 = new Driver(C, promisedLonger, 0);
    c2.feed(new MembershipChanged(0, ALL));
    c2.feed(new Received(2_199 * MS, new VoteRequest(1, A, L, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(0, C, L, false)), c2.sent());
  }

  /**
   * A rolling restart: c restarted and follows leader a, which hands over to it while c is still
   * inside its restart grace. c campaigns at once (the only promise it may have forgotten
   * protected a lease that has ended, or a's, which a released before sending TimeoutNow), so the
   * hand-over does not wait for the grace and an election timeout. Only TimeoutNow from the
   * leader c follows, in c's term, does this; everything else still waits out the grace.
   */
  @Test
  void aHandOverIsCampaignedForInsideTheRestartGrace() {
    var c = follower(C);
    c.feed(new Received(GRACE / 4, new Heartbeat(1, A, L, 0, ABC, LEASE)));
    c.feed(new Received(GRACE / 2, new TimeoutNow(1, A, L)));
    var request = (VoteRequest) c.sent().stream().filter(VoteRequest.class::isInstance)
        .findFirst().orElseThrow(() -> new AssertionError("no campaign: " + c.sent()));
    assertEquals(2, request.term());
    assertEquals(Optional.of(A), request.transferFrom());
    assertEquals(Optional.of(C), c.state.hard().votedFor());

    var notLeader = follower(C);
    notLeader.feed(new Received(GRACE / 4, new Heartbeat(1, A, L, 0, ABC, LEASE)));
    notLeader.feed(new Received(GRACE / 2, new TimeoutNow(1, B, L)));
    assertTrue(notLeader.sent().stream().noneMatch(VoteRequest.class::isInstance),
        "TimeoutNow from a node that is not the leader it follows: still in grace");
    var oldTerm = follower(C);
    oldTerm.feed(new Received(GRACE / 4, new Heartbeat(2, A, L, 0, ABC, LEASE)));
    oldTerm.feed(new Received(GRACE / 2, new TimeoutNow(1, A, L)));
    assertTrue(oldTerm.sent().stream().noneMatch(VoteRequest.class::isInstance),
        "TimeoutNow of an older term: ignored");
  }

  /**
   * The bootstrap rule as a table (issue 13, scenario 1): node {@code a} (or {@code self}) without
   * state, {@code bootstrap-expect}, the eligible members, and what each other member answers to
   * its latest probe ({@code b:a} = b has no state and names a as founder; {@code c:STATE} = c has
   * a configuration; a member not listed does not answer). Founds only if bootstrap is on, it
   * sees at least {@code expect} eligible members, it is the smallest name, and every other one
   * answered "no state, you found".
   */
  @ParameterizedTest(name = "[{index}] self {0}, expect {1}, eligible [{2}], replies [{3}] -> founds: {4}")
  @CsvSource(delimiter = '|', textBlock = """
      a | 1 | a       |                 | true
      a | 0 | a       |                 | false
      a | 2 | a       |                 | false
      a | 3 | a b     | b:a             | false
      a | 3 | a b c   | b:a c:a         | true
      a | 3 | a b c d | b:a c:a d:a     | true
      a | 3 | a b c   | b:a             | false
      a | 3 | a b c   | b:a c:STATE     | false
      a | 3 | a b c   | b:a c:b         | false
      a | 1 | a b     | b:a             | true
      a | 1 | a b     | b:STATE         | false
      a | 1 | a b c   |                 | false
      b | 3 | a b c   | a:b c:b         | false
      b | 1 | b       |                 | true
      b | 1 | c       |                 | false
      """)
  void bootstrapRule(String self, int expect, String eligible, String replies, boolean founds) {
    var policy = ElectionPolicy.DEFAULTS.withBootstrapExpect(expect);
    var d = new Driver(new ElectionCore(T, policy), new NodeId(self, 1), HardState.INITIAL, 0);
    var members = new TreeSet<>(List.of(eligible.trim().split("\\s+")));
    d.feed(new MembershipChanged(0, members));
    var probes = d.sent().stream().filter(BootstrapProbe.class::isInstance)
        .map(BootstrapProbe.class::cast).toList();
    boolean mayProbe = expect > 0 && members.size() >= expect && members.first().equals(self)
        && members.size() > 1;
    assertEquals(mayProbe ? members.size() - 1 : 0, probes.size(),
        "only the smallest name, with enough members, probes each other member: " + d.sent());
    if (replies != null) {
      for (String reply : replies.trim().split("\\s+")) {
        String[] parts = reply.split(":");
        boolean hasState = parts[1].equals("STATE");
        long round = probes.isEmpty() ? 1 : probes.get(0).round();
        d.feed(new Received(MS, new BootstrapReply(0, new NodeId(parts[0], 1),
            hasState ? 77 : Lineage.NONE, hasState, hasState ? "" : parts[1], round)));
      }
    }
    assertEquals(founds, !d.state.config().isEmpty(), () -> "config " + d.state.config());
    if (founds) {
      assertEquals(VoterConfig.of(new ConfigId(0, 1), List.of(new NodeId(self, 1))),
          d.state.config(), "the founder is the only voter; the others are added one by one");
    } else {
      assertEquals(Lineage.NONE, d.state.lineage());
    }
  }

  /** An answer to an earlier probe round does not count (the membership may have changed since). */
  @Test
  void bootstrapCountsOnlyAnswersToTheLatestProbeRound() {
    var d = new Driver(new ElectionCore(T, ElectionPolicy.DEFAULTS.withBootstrapExpect(2)), A,
        HardState.INITIAL, 0);
    d.feed(new MembershipChanged(0, new TreeSet<>(List.of("a", "b"))));
    long first = ((BootstrapProbe) d.sent().get(0)).round();
    d.feed(new Tick(d.wakeAt)); // the election timeout probes again
    long second = ((BootstrapProbe) d.sent().get(0)).round();
    assertTrue(second > first);
    d.feed(new Received(d.wakeAt, new BootstrapReply(0, B, Lineage.NONE, false, "a", first)));
    assertTrue(d.state.config().isEmpty(), "a stale round's answer does not found");
    d.feed(new Received(d.wakeAt, new BootstrapReply(0, B, Lineage.NONE, false, "a", second)));
    assertFalse(d.state.config().isEmpty());
  }
}
