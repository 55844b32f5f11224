package dev.regent.toolkit.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.election.ElectionEffect.LeaseAcquired;
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
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** One test per protocol rule of the pure core. */
class ElectionCoreTest {

  private static final long MS = 1_000_000L;
  private static final ElectionTimings T = ElectionTimings.DEFAULTS;
  private static final NodeId A = new NodeId("a", 1);
  private static final NodeId B = new NodeId("b", 1);
  private static final NodeId C = new NodeId("c", 1);
  private static final VoterConfig ABC = VoterConfig.of(new ConfigId(0, 1), List.of(A, B, C));
  private static final TreeSet<String> ALL = new TreeSet<>(List.of("a", "b", "c"));

  private final ElectionCore core = new ElectionCore(T);

  /** A node driven by hand, remembering every effect. */
  private final class Driver {
    NodeState state;
    final List<ElectionEffect> effects = new ArrayList<>();
    long wakeAt;

    Driver(NodeId self, HardState hard, long now) {
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
    a.feed(new Received(t, new PreVoteResponse(1, B, true)));
    a.feed(new Received(t, new VoteResponse(1, B, true)));
    assertTrue(a.state.isLeader());
    var hb = (Heartbeat) a.sent().stream().filter(Heartbeat.class::isInstance).findFirst().get();
    a.feed(new Received(t + MS, new HeartbeatAck(1, B, hb.sentAt(), hb.config().id(), true)));
    assertTrue(a.state.holdsLease(t + MS));
    return a;
  }

  @Test
  void soleMemberBootstrapsItsConfigurationAndLeadsWithALease() {
    var d = new Driver(A, HardState.INITIAL, 0);
    d.feed(new MembershipChanged(0, new TreeSet<>(List.of("a"))));
    assertEquals(VoterConfig.of(new ConfigId(0, 1), List.of(A)), d.state.config());
    d.feed(new Tick(d.wakeAt));
    assertTrue(d.state.isLeader());
    assertEquals(1, d.state.term());
    assertEquals(1, d.of(LeaseAcquired.class).size());
    assertInstanceOf(Persist.class, d.effects.get(0),
        "the new term is durable before the lease is announced");
  }

  @Test
  void nodeWithoutConfigurationDoesNotBootstrapWhenOthersAreMembers() {
    var d = new Driver(A, HardState.INITIAL, 0);
    d.feed(new MembershipChanged(0, ALL));
    assertTrue(d.state.config().isEmpty());
    d.feed(new Tick(d.wakeAt));
    assertFalse(d.state.isLeader());
    assertTrue(d.sent().isEmpty(), "a node that is no voter never campaigns");
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
      d.feed(new Received(before, new Heartbeat(1, B, 0, ABC)));
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
    assertEquals(List.of(new PreVoteRequest(1, A, ABC.id()), new PreVoteRequest(1, A, ABC.id())),
        a.sent());
  }

  @Test
  void preVoteQuorumStartsTheRealElectionAndPersistsTermAndVoteBeforeAsking() {
    var a = follower(A);
    a.feed(new Tick(a.wakeAt));
    a.feed(new Received(a.wakeAt, new PreVoteResponse(1, B, true)));
    assertInstanceOf(Role.Candidate.class, a.state.role());
    assertEquals(1, a.state.term());
    assertInstanceOf(Persist.class, a.effects.get(0), "persist comes before any send");
    assertEquals(Optional.of(A), a.of(Persist.class).get(0).state().votedFor());
  }

  @Test
  void votesOncePerTermAndPersistsTheVoteBeforeReplying() {
    var c = follower(C);
    c.feed(new Received(10 * MS, new VoteRequest(1, A, ABC.id(), Optional.empty())));
    assertInstanceOf(Persist.class, c.effects.get(0));
    assertEquals(Optional.of(A), c.of(Persist.class).get(0).state().votedFor());
    assertEquals(List.of(new VoteResponse(1, C, true)), c.sent());
    c.feed(new Received(11 * MS, new VoteRequest(1, B, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(1, C, false)), c.sent());
  }

  @Test
  void refusesCandidatesWithAnOlderConfiguration() {
    var newer = VoterConfig.of(new ConfigId(3, 4), List.of(A, B, C));
    var c = new Driver(C, new HardState(3, Optional.empty(), newer), 0);
    c.feed(new Received(MS, new VoteRequest(4, A, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(4, C, false)), c.sent());
    assertEquals(4, c.state.term(), "the higher term is adopted even though the vote is refused");
    c.feed(new Received(MS, new PreVoteRequest(5, A, ABC.id())));
    assertEquals(List.of(new PreVoteResponse(4, C, false)), c.sent());
  }

  @Test
  void followerThatHeardFromALeaderRefusesVotesUntilItsPromiseRunsOut() {
    var c = follower(C);
    c.feed(new Received(0, new Heartbeat(1, A, 0, ABC)));
    long within = T.electionTimeoutMinNanos() - MS;
    c.feed(new Received(within, new VoteRequest(2, B, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(1, C, false)), c.sent());
    assertEquals(1, c.state.term(), "a refused request does not even raise the term");
    c.feed(new Received(within, new PreVoteRequest(2, B, ABC.id())));
    assertEquals(List.of(new PreVoteResponse(1, C, false)), c.sent());
    long after = T.electionTimeoutMinNanos() + MS;
    c.feed(new Received(after, new VoteRequest(2, B, ABC.id(), Optional.empty())));
    assertEquals(List.of(new VoteResponse(2, C, true)), c.sent());
  }

  @Test
  void leaseRunsFromTheSendTimeOfTheHeartbeatAQuorumAcknowledged() {
    var a = follower(A);
    a.feed(new Tick(a.wakeAt));
    long t = a.wakeAt;
    a.feed(new Received(t, new PreVoteResponse(1, B, true)));
    a.feed(new Received(t, new VoteResponse(1, B, true)));
    var hb = (Heartbeat) a.sent().stream().filter(Heartbeat.class::isInstance).findFirst().get();
    long arrival = hb.sentAt() + 300 * MS;
    a.feed(new Received(arrival, new HeartbeatAck(1, B, hb.sentAt(), hb.config().id(), true)));
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
    a.feed(new Received(a.wakeAt, new HeartbeatAck(5, C, 0, ABC.id(), false)));
    assertEquals(List.of(new SteppedDown(1, StepDownReason.HIGHER_TERM)),
        a.of(SteppedDown.class));
    assertEquals(5, a.state.term());
  }

  @Test
  void leaderIgnoresVoteRequestsWhileItLeads() {
    var a = leaderA();
    a.feed(new Received(a.wakeAt, new VoteRequest(7, C, new ConfigId(9, 9), Optional.empty())));
    assertTrue(a.state.isLeader());
    assertEquals(1, a.state.term());
  }

  @Test
  void transferHandsOverWithTimeoutNowAndVotersFollowingTheOldLeaderGrantAtOnce() {
    var a = leaderA();
    long t = a.wakeAt;
    a.feed(new TransferLeadership(t));
    assertEquals(List.of(new SteppedDown(1, StepDownReason.TRANSFER)), a.of(SteppedDown.class));
    var sent = a.sent();
    assertInstanceOf(Heartbeat.class, sent.get(0), "the configuration goes out first");
    assertEquals(new TimeoutNow(1, A), sent.get(sent.size() - 1));

    var b = follower(B);
    b.feed(new Received(t, new Heartbeat(1, A, 0, a.state.config())));
    b.feed(new Received(t + MS, new TimeoutNow(1, A)));
    var request = (VoteRequest) b.sent().get(0);
    assertEquals(Optional.of(A), request.transferFrom());
    assertEquals(2, request.term());

    var c = follower(C);
    c.feed(new Received(t, new Heartbeat(1, A, 0, a.state.config())));
    c.feed(new Received(t + 2 * MS, request));
    assertEquals(List.of(new VoteResponse(2, C, true)), c.sent(),
        "the promise to A is released by A's own hand-over");
    var forged = new VoteRequest(2, B, request.configId(), Optional.of(C));
    var c2 = follower(C);
    c2.feed(new Received(t, new Heartbeat(1, A, 0, a.state.config())));
    c2.feed(new Received(t + 2 * MS, forged));
    assertEquals(List.of(new VoteResponse(1, C, false)), c2.sent(),
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
    a.feed(new Received(t, new HeartbeatAck(1, C, firstSentAt, config.id(), true)));
    a.feed(new Tick(a.wakeAt)); // the next heartbeat: b acknowledges it, c does not (yet)
    long t2 = a.wakeAt;
    var next = (Heartbeat) a.sent().stream().filter(Heartbeat.class::isInstance).findFirst().get();
    a.feed(new Received(t2, new HeartbeatAck(1, B, next.sentAt(), config.id(), true)));
    assertTrue(a.state.isLeader());

    // a retires and b is leaving, seen in one membership step: only c is eligible.
    a.feed(new MembershipChanged(t2 + MS, new TreeSet<>(List.of("c"))));
    assertEquals(List.of(new SteppedDown(1, StepDownReason.TRANSFER)), a.of(SteppedDown.class));
    var timeoutNows = a.of(Send.class).stream()
        .filter(s -> s.message() instanceof TimeoutNow).toList();
    assertEquals(List.of(new Send("c", new TimeoutNow(1, A))), timeoutNows,
        "TimeoutNow goes to c, which can campaign, not to b, which is leaving");

    // Why it matters: b, leaving, would drop it; c campaigns at once and wins with a's vote.
    var b = follower(B);
    b.feed(new Received(t2, new Heartbeat(1, A, 0, config)));
    b.feed(new MembershipChanged(t2, new TreeSet<>(List.of("a", "c"))));
    b.feed(new Received(t2 + 2 * MS, new TimeoutNow(1, A)));
    assertTrue(b.sent().isEmpty(), "a voter that is leaving does not campaign");
    var c = follower(C);
    c.feed(new Received(t2, new Heartbeat(1, A, 0, config)));
    c.feed(new Received(t2 + 2 * MS, new TimeoutNow(1, A)));
    var request = (VoteRequest) c.sent().get(0);
    assertEquals(Optional.of(A), request.transferFrom());
    a.feed(new Received(t2 + 3 * MS, request));
    assertEquals(List.of(new VoteResponse(2, A, true)), a.sent(),
        "the old leader, which gave up its lease, votes at once");
    c.feed(new Received(t2 + 4 * MS, new VoteResponse(2, A, true)));
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
    c.feed(new Received(0, new Heartbeat(1, A, 0, newer)));
    assertEquals(newer, c.state.config());
    c.feed(new Received(MS, new Heartbeat(1, A, 0, ABC)));
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
    a.feed(new Received(t + MS, new HeartbeatAck(1, d, t, ConfigId.NONE, true)));
    a.feed(new Received(t + MS, new HeartbeatAck(1, e, t, ConfigId.NONE, true)));
    a.feed(new Received(t + MS, new HeartbeatAck(1, B, t, config.id(), true)));
    assertEquals(4, a.state.config().voters().size(), "one voter per change");
    var four = a.state.config();
    // The next change waits until a quorum of the new configuration acknowledged it.
    a.feed(new Received(t + 2 * MS, new HeartbeatAck(1, e, t, ConfigId.NONE, true)));
    assertEquals(four, a.state.config());
    a.feed(new Received(t + 3 * MS, new HeartbeatAck(1, B, t, four.id(), true)));
    a.feed(new Received(t + 3 * MS, new HeartbeatAck(1, d, t, four.id(), true)));
    assertEquals(5, a.state.config().voters().size());
  }

  @Test
  void leaderRemovesAVoterWhoseStateWasLostBeforeAddingItsNewIdentity() {
    var a = leaderA();
    long t = a.wakeAt;
    var bReborn = new NodeId("b", 2);
    a.feed(new Received(t, new HeartbeatAck(1, C, t, a.state.config().id(), true)));
    a.feed(new Received(t, new HeartbeatAck(1, bReborn, t, ConfigId.NONE, true)));
    assertFalse(a.state.config().isVoter(B), "the old identity goes first");
    assertFalse(a.state.config().isVoter(bReborn));
  }

  @Test
  void messagesFromAnEarlierIncarnationOfThisNodeAreIgnored() {
    var c = follower(C);
    c.feed(new Received(MS, new VoteRequest(3, new NodeId("c", 0), ABC.id(), Optional.empty())));
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
}
