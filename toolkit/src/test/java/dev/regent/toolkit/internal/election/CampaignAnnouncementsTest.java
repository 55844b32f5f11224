package dev.regent.toolkit.internal.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.internal.election.ElectionEffect.Campaign;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignCause;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignLossReason;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignLost;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignStarted;
import dev.regent.toolkit.internal.election.ElectionEffect.Elected;
import dev.regent.toolkit.internal.election.ElectionEffect.VoteRefused;
import dev.regent.toolkit.internal.election.ElectionEvent.HostingReleased;
import dev.regent.toolkit.internal.election.ElectionEvent.MembershipChanged;
import dev.regent.toolkit.internal.election.ElectionEvent.Received;
import dev.regent.toolkit.internal.election.ElectionEvent.Tick;
import dev.regent.toolkit.internal.election.ElectionEvent.TransferLeadership;
import dev.regent.toolkit.internal.election.ElectionMessage.Heartbeat;
import dev.regent.toolkit.internal.election.ElectionMessage.PreVoteResponse;
import dev.regent.toolkit.internal.election.ElectionMessage.VoteRequest;
import dev.regent.toolkit.leadership.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The core announces its campaigns (issue 16): {@link CampaignStarted} for a pre-vote or an
 * election and why, {@link VoteRefused} for each refusal it counts, {@link CampaignLost} and why,
 * next to {@link Elected} for a win. The shell used to infer these from role changes; now it only
 * logs and counts them. Scenarios over {@link ScriptedNet} (real cores, one clock, 1 ms latency),
 * which also checks every step with {@link CampaignCheck}; the last tests show that check
 * catching steps whose announcements do not match what the node does.
 */
class CampaignAnnouncementsTest {

  private static final long MS = ScriptedNet.MS;
  private static final long L = 0x5eedL;
  private static final NodeId A = new NodeId("a", 1);
  private static final NodeId B = new NodeId("b", 1);
  private static final NodeId C = new NodeId("c", 1);
  private static final VoterConfig ABC = VoterConfig.of(new ConfigId(5, 2), List.of(A, B, C));
  private static final HardState AT_5 = new HardState(5, Optional.empty(), ABC, L,
      ElectionTimings.DEFAULTS.electionTimeoutMinNanos());

  private static ScriptedNet threeVoters() {
    var net = new ScriptedNet(MS);
    var core = new ElectionCore(ElectionTimings.DEFAULTS);
    for (String n : List.of("a", "b", "c")) {
      net.add(n, core, 1, AT_5);
      net.start(n);
    }
    net.membership("a", "b", "c");
    return net;
  }

  private static ScriptedNet threeVotersWithALeader() {
    var net = threeVoters();
    assertTrue(net.runUntil(() -> net.leader().map(l -> net.node(l).state.holdsLease(net.now()))
        .orElse(false), 5_000 * MS), "a leader with a lease");
    net.runUntil(net.now() + 300 * MS);
    return net;
  }

  @Test
  void theWinnerAnnouncesItsPreVoteThenItsElectionThenTheWin() {
    var net = threeVotersWithALeader();
    String leader = net.leader().orElseThrow();
    assertEquals(List.of(
            new CampaignStarted(Campaign.PRE_VOTE, 6, CampaignCause.ELECTION_TIMEOUT),
            new CampaignStarted(Campaign.ELECTION, 6, CampaignCause.PRE_VOTE_WON),
            new Elected(6)),
        net.campaignsOf(leader));
    assertEquals(List.of(), net.violations);
  }

  /**
   * A voter cut off from the others runs one pre-vote per election timeout; each ends
   * {@code TIMED_OUT} when the next starts, and none spends a term (the pre-vote's point).
   */
  @Test
  void anIsolatedVoterAnnouncesEachPreVoteRoundAndItsTimeout() {
    var net = threeVotersWithALeader();
    String leader = net.leader().orElseThrow();
    String cutOff = List.of("a", "b", "c").stream().filter(n -> !n.equals(leader)).findFirst()
        .orElseThrow();
    long term = net.node(cutOff).term();
    int before = net.campaignsOf(cutOff).size();
    net.partition(List.of(cutOff), List.of("a", "b", "c").stream()
        .filter(n -> !n.equals(cutOff)).toList());
    net.runUntil(net.now() + 6_000 * MS);

    List<ElectionEffect> rounds = net.campaignsOf(cutOff).subList(before,
        net.campaignsOf(cutOff).size());
    assertTrue(rounds.size() >= 6, "several rounds in 6 s: " + rounds);
    for (int i = 0; i < rounds.size(); i++) {
      var expected = i % 2 == 0
          ? new CampaignStarted(Campaign.PRE_VOTE, term + 1, CampaignCause.ELECTION_TIMEOUT)
          : new CampaignLost(Campaign.PRE_VOTE, term + 1, CampaignLossReason.TIMED_OUT);
      assertEquals(expected, rounds.get(i), "round item " + i + " of " + rounds);
    }
    assertEquals(term, net.node(cutOff).term(), "no pre-vote spends a term");
    assertEquals(List.of(), net.violations);
  }

  /** A hand-over: the successor starts an election at once, without pre-vote, and wins it. */
  @Test
  void theSuccessorOfAHandOverAnnouncesAnElectionCausedByIt() {
    var net = threeVotersWithALeader();
    var leader = net.node(net.leader().orElseThrow());
    long term = leader.term();
    net.feed(leader.name, new TransferLeadership(net.now()));
    net.hostingReleased(leader.name, term);
    assertTrue(net.runUntil(() -> net.leader().filter(l -> !l.equals(leader.name)).isPresent(),
        net.now() + 1_000 * MS), "a successor leads");
    String successor = net.leader().orElseThrow();
    List<ElectionEffect> campaigns = net.campaignsOf(successor);
    assertEquals(List.of(new CampaignStarted(Campaign.ELECTION, term + 1, CampaignCause.HAND_OVER),
        new Elected(term + 1)), campaigns.subList(campaigns.size() - 2, campaigns.size()));
    assertEquals(List.of(), net.violations);
  }

  /**
   * Each way a campaign ends without a win, on one node driven by hand: refused by a quorum, a
   * higher term, another leader of the term. {@code CampaignCheck} agrees with every step.
   */
  @Test
  void eachLossIsAnnouncedWithItsReason() {
    // refused: b and c refuse the pre-vote
    var a = new Hand(A);
    a.toPreCandidate();
    a.feed(new Received(a.now, new PreVoteResponse(5, B, L, false)));
    a.feed(new Received(a.now, new PreVoteResponse(5, B, L, false))); // a duplicate: not counted
    a.feed(new Received(a.now, new PreVoteResponse(5, C, L, false)));
    assertEquals(List.of(
            new CampaignStarted(Campaign.PRE_VOTE, 6, CampaignCause.ELECTION_TIMEOUT),
            new VoteRefused(Campaign.PRE_VOTE, 6, B),
            new VoteRefused(Campaign.PRE_VOTE, 6, C),
            new CampaignLost(Campaign.PRE_VOTE, 6, CampaignLossReason.REFUSED)),
        a.announced);

    // higher term: a candidate of term 6 grants a vote request of term 7
    a = new Hand(A);
    a.toPreCandidate();
    a.feed(new Received(a.now, new PreVoteResponse(6, B, L, true)));
    assertTrue(a.state.role() instanceof Role.Candidate);
    a.feed(new Received(a.now + MS, new VoteRequest(7, C, L, ABC.id(), Optional.empty())));
    assertEquals(new CampaignLost(Campaign.ELECTION, 6, CampaignLossReason.HIGHER_TERM),
        a.announced.get(a.announced.size() - 1));

    // another leader: a pre-candidate hears the leader of its own term
    a = new Hand(A);
    a.toPreCandidate();
    a.feed(new Received(a.now + MS, new Heartbeat(5, B, L, a.now, ABC,
        ElectionTimings.DEFAULTS.leaseNanos())));
    assertEquals(new CampaignLost(Campaign.PRE_VOTE, 6, CampaignLossReason.OTHER_LEADER),
        a.announced.get(a.announced.size() - 1));
    assertFalse(a.state.role() instanceof Role.PreCandidate);
  }

  // ---- the check itself catches wrong announcements -------------------------------------------

  @Test
  void theCheckCatchesACampaignNobodyAnnounced() {
    var a = new Hand(A);
    NodeState follower = a.state;
    a.toPreCandidate();
    a.feed(new Received(a.now, new PreVoteResponse(6, B, L, true)));
    NodeState candidate = a.state;
    // Follower -> Candidate with the announcements left out
    assertFalse(CampaignCheck.check(follower, new Step(candidate, List.of(), 0)).isEmpty());
    // Candidate -> Follower without CampaignLost
    assertFalse(CampaignCheck.check(candidate, new Step(follower, List.of(), 0)).isEmpty());
  }

  @Test
  void theCheckCatchesAnnouncementsThatNameTheWrongCampaign() {
    var a = new Hand(A);
    NodeState follower = a.state;
    a.toPreCandidate();
    NodeState preCandidate = a.state;
    List<List<ElectionEffect>> wrong = List.of(
        // lost a campaign that does not run
        List.of(new CampaignLost(Campaign.ELECTION, 6, CampaignLossReason.REFUSED)),
        // elected without an election
        List.of(new Elected(6)),
        // an election "after the pre-vote" with no pre-vote running
        List.of(new CampaignStarted(Campaign.ELECTION, 6, CampaignCause.PRE_VOTE_WON)),
        // a refusal of a campaign that does not run
        List.of(new VoteRefused(Campaign.PRE_VOTE, 6, B)));
    for (var effects : wrong) {
      assertFalse(CampaignCheck.check(follower, new Step(follower, effects, 0)).isEmpty(),
          "not caught: " + effects);
    }
    // a second pre-vote started while one runs, without losing the first
    assertFalse(CampaignCheck.check(preCandidate, new Step(preCandidate, List.of(
        new CampaignStarted(Campaign.PRE_VOTE, 6, CampaignCause.ELECTION_TIMEOUT)), 0)).isEmpty());
    // and the real steps pass
    assertEquals(List.of(), a.problems);
  }

  /** One core driven by hand; every step checked with {@link CampaignCheck}. */
  private static final class Hand {
    final ElectionCore core = new ElectionCore(ElectionTimings.DEFAULTS);
    NodeState state;
    long now;
    long wakeAt;
    final List<ElectionEffect> announced = new ArrayList<>();
    final List<String> problems = new ArrayList<>();

    Hand(NodeId self) {
      apply(null, core.start(self, AT_5, 0, 42));
      feed(new MembershipChanged(0, new TreeSet<>(List.of("a", "b", "c"))));
    }

    /** Waits out the restart grace: the election timeout starts a pre-vote. */
    void toPreCandidate() {
      feed(new Tick(wakeAt));
      assertTrue(state.role() instanceof Role.PreCandidate, "a pre-candidate: " + state.role());
    }

    void feed(ElectionEvent e) {
      now = Math.max(now, e instanceof Received r ? r.now() : e instanceof Tick t ? t.now() : now);
      apply(state, core.step(state, e));
    }

    private void apply(NodeState before, Step step) {
      problems.addAll(CampaignCheck.check(before, step));
      assertEquals(List.of(), problems);
      step.effects().stream().filter(e -> Simulation.isAnnouncement(e) || e instanceof Elected)
          .forEach(announced::add);
      state = step.state();
      wakeAt = step.wakeAt();
    }
  }
}
