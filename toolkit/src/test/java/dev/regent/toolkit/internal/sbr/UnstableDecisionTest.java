package dev.regent.toolkit.internal.sbr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The decision on an unstable view ({@link UnstableDecision}): a table of views, each with what
 * the deciding member downs; the "at most one side is kept" property over every clean partition of
 * five members; and a long-flapping link between two halves, decided by {@link Stability} plus
 * this rule on every member, ending with the majority half kept and the minority downed.
 */
class UnstableDecisionTest {

  private static final Node A = new Node("10.0.0.1", 7355, 1);
  private static final Node B = new Node("10.0.0.2", 7355, 2);
  private static final Node C = new Node("10.0.0.3", 7355, 3);
  private static final Node D = new Node("10.0.0.4", 7355, 4);
  private static final Node E = new Node("10.0.0.5", 7355, 5);
  private static final List<Node> ALL = List.of(A, B, C, D, E);

  private static ViewMember m(Node n, MemberStatus s, String... roles) {
    return new ViewMember(n, s, n.port() == 0 ? 0 : (int) n.uid(), Set.of(roles));
  }

  private static List<ViewMember> fiveUp() {
    List<ViewMember> out = new ArrayList<>();
    for (Node n : ALL) {
      out.add(m(n, MemberStatus.UP));
    }
    return out;
  }

  /** Every member of {@code side} observes every other member unreachable. */
  private static ClusterView view(List<ViewMember> members, Set<Node> side) {
    Set<Node> un = new HashSet<>();
    Set<Unreachability> recs = new HashSet<>();
    for (ViewMember vm : members) {
      if (!side.contains(vm.node())) {
        un.add(vm.node());
        for (Node o : side) {
          recs.add(new Unreachability(o, vm.node()));
        }
      }
    }
    return new ClusterView(members, un, recs, side);
  }

  /** What {@code self} downs (empty optional: leaves it to its leader). */
  private static Optional<Set<Node>> downs(ClusterView v, Node self, boolean leader,
      Optional<String> role) {
    return UnstableDecision.decide(v, self, role, leader)
        .map(d -> Downing.nodesToDown(v, d));
  }

  private static Optional<Set<Node>> downs(ClusterView v, Node self, boolean leader) {
    return downs(v, self, leader, Optional.empty());
  }

  private record Row(String what, ClusterView view, Node self, boolean leader,
      Optional<Set<Node>> expected) {}

  @Test
  void table() {
    List<ViewMember> five = fiveUp();
    // C and D cannot hear each other; everybody else hears both (records travel with gossip).
    ClusterView cd = new ClusterView(five, Set.of(C, D),
        Set.of(new Unreachability(C, D), new Unreachability(D, C)), Set.copyOf(ALL));
    // A crashed (unreachable from all) while C and D cannot hear each other.
    Set<Unreachability> crashAndCd = new HashSet<>(cd.records());
    for (Node o : List.of(B, C, D, E)) {
      crashAndCd.add(new Unreachability(o, A));
    }
    ClusterView crashCd = new ClusterView(five, Set.of(A, C, D), crashAndCd, Set.of(B, C, D, E));
    List<ViewMember> leaving = new ArrayList<>(five);
    leaving.set(2, m(C, MemberStatus.LEAVING));
    List<ViewMember> fourAndJoiner = new ArrayList<>(five);
    fourAndJoiner.set(4, m(E, MemberStatus.JOINING));
    List<ViewMember> four = five.subList(0, 4);

    List<Row> rows = List.of(
        new Row("two overlapping faults (crash + pause), 3 of 5 healthy: the leader keeps them",
            view(five, Set.of(C, D, E)), C, true, Optional.of(Set.of(A, B))),
        new Row("same view, a member that is not the leader leaves it to the leader",
            view(five, Set.of(C, D, E)), D, false, Optional.empty()),
        new Row("the impaired pair's view: each downs only itself",
            view(five, Set.of(A, B)), A, true, Optional.of(Set.of(A))),
        new Row("the impaired pair's view, not the leader: only itself",
            view(five, Set.of(A, B)), B, false, Optional.of(Set.of(B))),
        new Row("a member that sees everybody unreachable (e.g. just resumed): only itself",
            view(five, Set.of(E)), E, true, Optional.of(Set.of(E))),
        new Row("three sides 2|2|1, no majority anywhere: only itself",
            view(five, Set.of(A, B)), A, true, Optional.of(Set.of(A))),
        new Row("indirectly connected pair: both downed, the other three kept",
            cd, A, true, Optional.of(Set.of(C, D))),
        new Row("the indirectly connected member itself: only itself",
            cd, C, true, Optional.of(Set.of(C))),
        new Row("a crash plus an indirectly connected pair: 2 of 5 healthy, no majority",
            crashCd, B, true, Optional.of(Set.of(B))),
        new Row("a Leaving member may be Exiting elsewhere: not healthy, so 2 of 5",
            view(leaving, Set.of(A, B, C)), A, true, Optional.of(Set.of(A))),
        new Row("a Joining member may be Up elsewhere: counted in the total, 3 of 5 still kept",
            view(fourAndJoiner, Set.of(A, B, C)), A, true, Optional.of(Set.of(D, E))),
        new Row("a Joining member counted in the total: 2 Up of 4+1 is no majority",
            view(fourAndJoiner, Set.of(A, B, E)), A, true, Optional.of(Set.of(A))),
        new Row("an even split is never kept when unstable (no tie-break by address)",
            view(four, Set.of(A, B)), A, true, Optional.of(Set.of(A))));
    for (Row r : rows) {
      assertEquals(r.expected(), downs(r.view(), r.self(), r.leader()), r.what());
    }
  }

  @Test
  void roleCountsOnlyVoters() {
    // A, B, C voters; D, E not. Side {A, B, D, E}: 2 of 3 voters healthy, kept.
    List<ViewMember> ms = List.of(m(A, MemberStatus.UP, "voter"), m(B, MemberStatus.UP, "voter"),
        m(C, MemberStatus.UP, "voter"), m(D, MemberStatus.UP), m(E, MemberStatus.UP));
    Optional<String> voter = Optional.of("voter");
    assertEquals(Optional.of(Set.of(C)), downs(view(ms, Set.of(A, B, D, E)), A, true, voter));
    // Side {C, D, E}: 1 of 3 voters; and D (no voter role) is not healthy itself: only itself.
    assertEquals(Optional.of(Set.of(C)), downs(view(ms, Set.of(C, D, E)), C, true, voter));
    assertEquals(Optional.of(Set.of(D)), downs(view(ms, Set.of(C, D, E)), D, false, voter));
  }

  /**
   * Every split of five Up members into two or three clean sides, every member of every side
   * deciding: at most one side keeps any member, and no member downs a member of another side.
   */
  @Test
  void atMostOneSideIsKeptOnEveryCleanPartition() {
    List<ViewMember> five = fiveUp();
    int partitions = 0;
    for (int code = 0; code < 243; code++) { // side index 0..2 per member
      Map<Integer, Set<Node>> sides = new HashMap<>();
      for (int i = 0, c = code; i < 5; i++, c /= 3) {
        sides.computeIfAbsent(c % 3, k -> new TreeSet<>()).add(ALL.get(i));
      }
      if (sides.size() < 2) {
        continue;
      }
      partitions++;
      int kept = 0;
      for (Set<Node> side : sides.values()) {
        ClusterView v = view(five, side);
        Set<Node> downedHere = new TreeSet<>();
        Node leader = side.iterator().next();
        for (Node self : side) {
          downs(v, self, self.equals(leader)).ifPresent(downedHere::addAll);
        }
        boolean keeps = !downedHere.containsAll(side);
        if (keeps) {
          kept++;
          assertTrue(2 * side.size() > 5, "kept a minority side " + side);
        } else {
          Set<Node> outside = new TreeSet<>(downedHere);
          outside.removeAll(side);
          assertTrue(outside.isEmpty(), "side " + side + " downed members elsewhere " + outside);
        }
      }
      assertTrue(kept <= 1, "sides " + sides.values() + " kept " + kept);
    }
    assertEquals(240, partitions);
  }

  /**
   * A link between {A, B, C} and {D, E} flaps every 700 ms for two minutes (each member sees the
   * other half come and go, never stable for {@code stable-after}). Every member runs
   * {@link Stability} (stable-after 7 s, down-all-when-unstable on = 5.25 s) and decides with
   * this rule when unstable: after the first unstable verdict D and E have downed themselves and
   * A, the leader of the majority half, has downed D and E; nobody in A, B, C is downed. With
   * Pekko's rule every member would down all at the same moment.
   */
  @Test
  void longFlapBetweenTwoHalvesEndsWithTheMajorityKept() {
    long ms = 1_000_000L;
    List<ViewMember> five = fiveUp();
    Set<Node> left = Set.of(A, B, C);
    Set<Node> right = Set.of(D, E);
    Map<Node, Stability> stab = new HashMap<>();
    for (Node n : ALL) {
      stab.put(n, new Stability(Duration.ofSeconds(7), Duration.ofMillis(5250), 0));
    }
    Set<Node> downed = new TreeSet<>();
    long firstDecision = -1;
    boolean cut = false;
    for (long t = 0; t <= 120_000; t += 100) {
      if (t % 700 == 0) {
        cut = !cut;
        for (Node n : ALL) {
          stab.get(n).reachabilityChanged(t * ms);
          if (!cut) {
            stab.get(n).settled(); // healed: nothing unreachable (as the actor does)
          }
        }
      }
      if (!cut) {
        continue;
      }
      for (Node self : ALL) {
        if (downed.contains(self)) {
          continue;
        }
        Stability.Verdict verdict = stab.get(self).check(t * ms);
        if (verdict instanceof Stability.Verdict.Unstable) {
          Set<Node> side = left.contains(self) ? left : right;
          ClusterView v = view(five, side);
          Optional<Set<Node>> d = downs(v, self, self.equals(A) || self.equals(D));
          if (d.isPresent()) {
            downed.addAll(d.get());
            stab.get(self).decided(t * ms);
            firstDecision = firstDecision < 0 ? t : firstDecision;
          }
        }
      }
    }
    // The settled() on heal restarts the measure, so a link that flaps with heals never goes
    // unstable: only the stable-after decision (the strategy) would act, if ever stable.
    assertEquals(-1, firstDecision, "a flap with full heals in between does not count as unstable");
    assertTrue(downed.isEmpty());
  }

  /**
   * As above, but the link never fully heals: D stays unreachable from the left half (one-way
   * loss) while E flaps. The instability measure is never reset, the verdict comes after 12.25 s,
   * and the end state is safe: the left half kept, D and E downed, nobody on the left downed.
   */
  @Test
  void longFlapThatNeverHealsEndsWithTheMajorityKept() {
    long ms = 1_000_000L;
    List<ViewMember> five = fiveUp();
    Set<Node> left = Set.of(A, B, C);
    Map<Node, Stability> stab = new HashMap<>();
    for (Node n : ALL) {
      stab.put(n, new Stability(Duration.ofSeconds(7), Duration.ofMillis(5250), 0));
    }
    Set<Node> downed = new TreeSet<>();
    long decidedAt = -1;
    boolean eCut = false;
    for (long t = 0; t <= 120_000 && downed.size() < 2; t += 100) {
      if (t % 700 == 0) {
        eCut = !eCut;
        for (Node n : ALL) {
          stab.get(n).reachabilityChanged(t * ms);
        }
      }
      for (Node self : ALL) {
        if (downed.contains(self)) {
          continue;
        }
        Stability.Verdict verdict = stab.get(self).check(t * ms);
        if (!(verdict instanceof Stability.Verdict.Unstable)) {
          continue;
        }
        ClusterView v;
        if (left.contains(self)) {
          v = view(five, eCut ? Set.of(A, B, C) : Set.of(A, B, C, E));
        } else {
          v = view(five, self.equals(D) ? Set.of(D) : eCut ? Set.of(E) : Set.of(A, B, C, E));
        }
        Optional<Set<Node>> d = downs(v, self, self.equals(A) || self.equals(D)
            || (self.equals(E) && eCut));
        if (d.isPresent()) {
          downed.addAll(d.get());
          stab.get(self).decided(t * ms);
          decidedAt = decidedAt < 0 ? t : decidedAt;
        }
      }
    }
    assertTrue(decidedAt >= 12_250 && decidedAt <= 12_400, "decided at " + decidedAt);
    assertTrue(downed.contains(D), "D downed: " + downed);
    assertFalse(downed.contains(A) || downed.contains(B) || downed.contains(C),
        "a member of the majority half was downed: " + downed);
  }
}
