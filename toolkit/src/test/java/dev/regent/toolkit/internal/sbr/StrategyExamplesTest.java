package dev.regent.toolkit.internal.sbr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Hand-written views, one behaviour each, readable as examples of the strategies. */
class StrategyExamplesTest {

  private static final Node A = new Node("10.0.0.1", 7355, 1);
  private static final Node B = new Node("10.0.0.2", 7355, 2);
  private static final Node C = new Node("10.0.0.3", 7355, 3);
  private static final Node D = new Node("10.0.0.4", 7355, 4);
  private static final Node E = new Node("10.0.0.5", 7355, 5);

  private static ViewMember up(Node n, int upNumber) {
    return new ViewMember(n, MemberStatus.UP, upNumber, Set.of());
  }

  /** The view of {@code side}: everything else is unreachable, observed by every side member. */
  private static ClusterView cleanView(List<ViewMember> members, Set<Node> side) {
    Set<Node> unreachable = new HashSet<>();
    Set<Unreachability> records = new HashSet<>();
    for (ViewMember m : members) {
      if (!side.contains(m.node())) {
        unreachable.add(m.node());
        for (Node o : side) {
          records.add(new Unreachability(o, m.node()));
        }
      }
    }
    return new ClusterView(members, unreachable, records, side);
  }

  private static final List<ViewMember> FIVE =
      List.of(up(A, 1), up(B, 2), up(C, 3), up(D, 4), up(E, 5));

  @Test
  void keepMajorityKeepsThreeOfFiveAndDownsTwo() {
    KeepMajority s = new KeepMajority(Optional.empty());
    ClusterView three = cleanView(FIVE, Set.of(C, D, E));
    ClusterView two = cleanView(FIVE, Set.of(A, B));
    assertEquals(Set.of(A, B), Downing.nodesToDown(three, s.decide(three)));
    assertEquals(Set.of(A, B), Downing.nodesToDown(two, s.decide(two)));
  }

  @Test
  void keepMajorityEvenSplitKeepsTheLowestAddress() {
    List<ViewMember> four = List.of(up(A, 4), up(B, 3), up(C, 2), up(D, 1));
    KeepMajority s = new KeepMajority(Optional.empty());
    assertInstanceOf(Decision.DownUnreachable.class, s.decide(cleanView(four, Set.of(A, D))));
    assertInstanceOf(Decision.DownReachable.class, s.decide(cleanView(four, Set.of(B, C))));
  }

  @Test
  void indirectlyConnectedMembersAreDownedTheRestIsKept() {
    // A and B cannot hear each other; C hears both, so gossip still connects all three.
    List<ViewMember> three = List.of(up(A, 1), up(B, 2), up(C, 3));
    ClusterView view = new ClusterView(three, Set.of(A, B),
        Set.of(new Unreachability(A, B), new Unreachability(B, A)), Set.of(A, B, C));
    Decision d = new KeepMajority(Optional.empty()).decide(view);
    assertInstanceOf(Decision.DownIndirectlyConnected.class, d);
    assertEquals(Set.of(A, B), Downing.nodesToDown(view, d));
  }

  @Test
  void indirectlyConnectedPlusACrashDecidesTheRestByTheStrategy() {
    // A-B link broken, E crashed: A and B are downed, E is downed by the majority rule.
    ClusterView view = new ClusterView(FIVE, Set.of(A, B, E),
        Set.of(new Unreachability(A, B), new Unreachability(B, A), new Unreachability(A, E),
            new Unreachability(B, E), new Unreachability(C, E), new Unreachability(D, E)),
        Set.of(A, B, C, D));
    Decision d = new KeepMajority(Optional.empty()).decide(view);
    assertEquals(Set.of(A, B, E), Downing.nodesToDown(view, d));
  }

  @Test
  void oneWayLossIsFoundThroughSeenGossip() {
    // C stopped hearing A (A still hears C): no cycle, but A has seen the latest gossip.
    List<ViewMember> three = List.of(up(A, 1), up(B, 2), up(C, 3));
    ClusterView view = new ClusterView(three, Set.of(A), Set.of(new Unreachability(C, A)),
        Set.of(A, B, C));
    assertEquals(Set.of(A, C), IndirectConnections.of(view));
  }

  /**
   * Voters C (Up) and E (Joining, lowest address). The leader, on E's side, moves E to Up just as
   * the partition happens; C's side still sees E Joining. E's side: voters E and C, an even split,
   * E is the lowest address, keep. C's side: Pekko counts E as possibly Up on the other side (1 vs
   * 1) but breaks the tie over Up members only, finds C lowest and keeps too: two sides alive. We
   * break the tie over E as well, see that it may go either way, and down all on C's side.
   */
  @Test
  void evenSplitWithARacingJoinerDownsAllWherePekkoKeepsBothSides() {
    Node e1 = new Node("10.0.0.1", 7355, 11); // the joiner, lowest address
    Node c3 = new Node("10.0.0.3", 7355, 13);
    Node a5 = new Node("10.0.0.5", 7355, 15);
    Set<String> voter = Set.of("voter");
    List<ViewMember> seenByC = List.of(
        new ViewMember(e1, MemberStatus.JOINING, Integer.MAX_VALUE, voter),
        new ViewMember(c3, MemberStatus.UP, 1, voter),
        new ViewMember(a5, MemberStatus.UP, 2, Set.of()));
    List<ViewMember> seenByE = List.of(
        new ViewMember(e1, MemberStatus.UP, 3, voter),
        new ViewMember(c3, MemberStatus.UP, 1, voter),
        new ViewMember(a5, MemberStatus.UP, 2, Set.of()));
    ClusterView sideC = cleanView(seenByC, Set.of(c3));
    ClusterView sideE = cleanView(seenByE, Set.of(e1, a5));
    KeepMajority ours = new KeepMajority(Optional.of("voter"));
    assertInstanceOf(Decision.DownAll.class, ours.decide(sideC));
    assertInstanceOf(Decision.DownUnreachable.class, ours.decide(sideE));
    // Pekko 1.7.0 on the same views keeps both sides.
    org.apache.pekko.cluster.sbr.DowningStrategy pekko = PekkoDifferentialTest.pekko(
        self -> new org.apache.pekko.cluster.sbr.KeepMajority("default",
            scala.Option.apply("voter"), self), sideC, c3);
    Set<Node> pekkoC = PekkoDifferentialTest.pekkoNodesToDown(pekko, pekko.decide(), false);
    assertTrue(pekkoC.equals(Set.of(e1, a5)), "Pekko keeps side C, downing " + pekkoC);
  }

  @Test
  void staticQuorumDownsAllWhenTheClusterOutgrewIt() {
    ClusterView view = cleanView(FIVE, Set.of(A, B, C));
    assertInstanceOf(Decision.DownAll.class, new StaticQuorum(2, Optional.empty()).decide(view));
    assertInstanceOf(Decision.DownUnreachable.class,
        new StaticQuorum(3, Optional.empty()).decide(view));
    assertInstanceOf(Decision.DownReachable.class,
        new StaticQuorum(3, Optional.empty()).decide(cleanView(FIVE, Set.of(D, E))));
  }

  @Test
  void keepOldestWithDownIfAlone() {
    List<ViewMember> three = List.of(up(A, 3), up(B, 1), up(C, 2)); // B is the oldest
    KeepOldest alone = new KeepOldest(true, Optional.empty());
    KeepOldest stubborn = new KeepOldest(false, Optional.empty());
    assertInstanceOf(Decision.DownReachable.class, alone.decide(cleanView(three, Set.of(B))));
    assertInstanceOf(Decision.DownUnreachable.class, alone.decide(cleanView(three, Set.of(A, C))));
    assertInstanceOf(Decision.DownUnreachable.class, stubborn.decide(cleanView(three, Set.of(B))));
    assertInstanceOf(Decision.DownReachable.class,
        stubborn.decide(cleanView(three, Set.of(A, C))));
  }

  @Test
  void keepRefereeKeepsTheRefereeSide() {
    KeepReferee s = new KeepReferee("10.0.0.5", 7355, 2);
    assertInstanceOf(Decision.DownUnreachable.class, s.decide(cleanView(FIVE, Set.of(D, E))));
    assertInstanceOf(Decision.DownReachable.class, s.decide(cleanView(FIVE, Set.of(A, B, C))));
    assertInstanceOf(Decision.DownAll.class, s.decide(cleanView(FIVE, Set.of(E))));
    List<ViewMember> noReferee = new ArrayList<>(FIVE.subList(0, 4));
    assertInstanceOf(Decision.DownReachable.class,
        s.decide(cleanView(noReferee, Set.of(A, B, C))));
  }

  @Test
  void leaseMajorityDelaysTheMinority() {
    LeaseMajority s = new LeaseMajority(Optional.empty(), "l", "", Duration.ofSeconds(2),
        Duration.ofSeconds(40));
    Decision.AcquireLease major = (Decision.AcquireLease) s.decide(cleanView(FIVE, Set.of(A, B, C)));
    Decision.AcquireLease minor = (Decision.AcquireLease) s.decide(cleanView(FIVE, Set.of(D, E)));
    assertEquals(Duration.ZERO, major.delay());
    assertEquals(Duration.ofSeconds(2), minor.delay());
    ClusterView minorView = cleanView(FIVE, Set.of(D, E));
    assertEquals(Set.of(A, B, C), Downing.nodesToDown(minorView, minor, true));
    assertEquals(Set.of(D, E), Downing.nodesToDown(minorView, minor, false));
  }

  @Test
  void downAllDownsEveryone() {
    ClusterView view = cleanView(FIVE, Set.of(A, B, C));
    assertEquals(Set.of(A, B, C, D, E),
        Downing.nodesToDown(view, new DownAllStrategy().decide(view)));
  }
}
