package dev.regent.toolkit.internal.sbr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every strategy over at least {@value #MIN_VIEWS} generated views (2- and 3-way partitions, even
 * splits, crashed members, indirectly connected members, links broken before the partition,
 * membership changes racing the partition):
 * at most one side stays alive, kept members hear each other, and in clean scenarios the side the
 * strategy promises to keep is kept. Seeded: {@code -Dregent.sim.seed=N} replays another run.
 */
class GeneratedViewsTest {

  private static final Logger log = LoggerFactory.getLogger(GeneratedViewsTest.class);
  static final int MIN_VIEWS = 10_000;
  private static final long SEED = seed();

  /** Per scenario: the strategy to test and the sides it promises to keep (clean scenarios). */
  interface StrategyUnderTest {
    Function<ClusterView, Decision> strategy();

    Set<Integer> promised(PartitionScenario sc, PartitionChecker.Outcome out);
  }

  record Stats(int scenarios, int views, int evenSplits, int threeWay, int crashes, int indirect,
      int racing, int before, int stillIndirect, int promisesChecked, int sidesKept) {}

  @Test
  void keepMajority() {
    check("keep-majority", (sc, rnd) -> {
      Optional<String> role = rnd.nextBoolean() ? Optional.of(PartitionScenario.ROLE)
          : Optional.empty();
      KeepMajority s = new KeepMajority(role);
      return sut(s::decide, (scn, out) -> majoritySides(scn, role));
    });
  }

  @Test
  void staticQuorum() {
    check("static-quorum", (sc, rnd) -> {
      Optional<String> role = rnd.nextBoolean() ? Optional.of(PartitionScenario.ROLE)
          : Optional.empty();
      int total = counted(sc, role).size();
      int q = rnd.nextInt(3) > 0 ? total / 2 + 1 : 1 + rnd.nextInt(Math.max(1, total + 1));
      StaticQuorum s = new StaticQuorum(Math.max(1, q), role);
      return sut(s::decide, (scn, out) -> {
        Set<Integer> out2 = new TreeSet<>();
        if (total <= 2 * s.quorumSize() - 1) {
          for (int i = 0; i < scn.sides.size(); i++) {
            if (here(scn, i, role) >= s.quorumSize()) {
              out2.add(i);
            }
          }
        }
        return out2;
      });
    });
  }

  @Test
  void keepOldest() {
    check("keep-oldest", (sc, rnd) -> {
      Optional<String> role = rnd.nextBoolean() ? Optional.of(PartitionScenario.ROLE)
          : Optional.empty();
      boolean downIfAlone = rnd.nextBoolean();
      KeepOldest s = new KeepOldest(downIfAlone, role);
      return sut(s::decide, (scn, out) -> {
        Set<Integer> keep = new TreeSet<>();
        List<ViewMember> ms = counted(scn, role);
        if (ms.isEmpty()) {
          return keep;
        }
        int total = ms.size();
        ViewMember oldest = ms.stream().min(ViewMember.AGE_ORDER).get();
        int oldestSide = sideOf(scn, oldest.node());
        for (int i = 0; i < scn.sides.size(); i++) {
          if (downIfAlone && i != oldestSide && here(scn, i, role) == total - 1 && total - 1 >= 2) {
            keep.add(i); // the oldest is alone (or crashed): the rest stays
          }
        }
        if (oldestSide >= 0
            && !(downIfAlone && here(scn, oldestSide, role) == 1 && total - 1 >= 2)) {
          keep.add(oldestSide);
        }
        return keep;
      });
    });
  }

  @Test
  void keepReferee() {
    check("keep-referee", (sc, rnd) -> {
      ViewMember referee = sc.base.get(rnd.nextInt(sc.base.size()));
      int less = 1 + rnd.nextInt(3);
      KeepReferee s = new KeepReferee(referee.node().host(), referee.node().port(), less);
      return sut(s::decide, (scn, out) -> {
        Set<Integer> keep = new TreeSet<>();
        int side = sideOf(scn, referee.node());
        if (side >= 0 && here(scn, side, Optional.empty()) >= less) {
          keep.add(side);
        }
        return keep;
      });
    });
  }

  @Test
  void downAll() {
    Stats stats = check("down-all", (sc, rnd) -> sut(new DownAllStrategy()::decide,
        (scn, out) -> Set.of()));
    assertEquals(0, stats.sidesKept(), "down-all kept a side that had to decide");
  }

  @Test
  void leaseMajority() {
    check("lease-majority", (sc, rnd) -> {
      Optional<String> role = rnd.nextBoolean() ? Optional.of(PartitionScenario.ROLE)
          : Optional.empty();
      LeaseMajority s = new LeaseMajority(role, "test-lease", "", Duration.ofSeconds(2),
          Duration.ofSeconds(40));
      return sut(s::decide, (scn, out) -> {
        Set<Integer> keep = new TreeSet<>();
        if (PartitionChecker.leaseWinnerSide(out) >= 0) {
          keep.add(PartitionChecker.leaseWinnerSide(out));
        }
        // The majority asks first, so it wins the lease.
        keep.addAll(majoritySides(scn, role));
        return keep;
      });
    });
  }

  /** The checker must be able to fail: a keep-majority that keeps both halves of an even split. */
  @Test
  void brokenKeepMajorityIsCaught() {
    KeepMajority real = new KeepMajority(Optional.empty());
    Function<ClusterView, Decision> broken = view -> {
      List<ViewMember> ms = view.counted(Optional.empty());
      if (view.reachable(ms).size() == view.unreachable(ms).size()) {
        return new Decision.DownUnreachable("broken: keep both halves of an even split");
      }
      return real.decide(view);
    };
    int caught = countViolations(broken, 5_000);
    log.info("broken keep-majority: {} violating scenarios caught", caught);
    assertTrue(caught > 0, "the checker did not catch a strategy that keeps both even halves");
    assertEquals(0, countViolations(real::decide, 5_000));
  }

  /** A keep-majority without the guard for membership changes racing the partition. */
  @Test
  void keepMajorityWithoutMembershipChangeGuardIsCaught() {
    KeepMajority real = new KeepMajority(Optional.empty());
    Function<ClusterView, Decision> naive = view -> {
      if (!IndirectConnections.of(view).isEmpty()) {
        return real.decide(view);
      }
      List<ViewMember> ms = view.counted(Optional.empty());
      int here = view.reachable(ms).size();
      int there = view.unreachable(ms).size();
      boolean lowestHere = !ms.isEmpty() && !view.isUnreachable(
          ms.stream().min(ViewMember.ADDRESS_ORDER).get().node());
      return here > there || (here == there && lowestHere)
          ? new Decision.DownUnreachable("naive") : new Decision.DownReachable("naive");
    };
    int caught = countViolations(naive, 20_000);
    log.info("keep-majority without the membership-change guard: {} violating scenarios", caught);
    assertTrue(caught > 0);
  }

  /** And a static-quorum without the "too many members" guard. */
  @Test
  void staticQuorumWithoutSizeGuardIsCaught() {
    Function<ClusterView, Decision> broken = view -> {
      List<ViewMember> ms = view.counted(Optional.empty());
      int q = 2;
      return view.reachable(ms).size() >= q ? new Decision.DownUnreachable("broken")
          : new Decision.DownReachable("broken");
    };
    assertTrue(countViolations(broken, 5_000) > 0);
  }

  // ---- machinery ----

  interface Factory {
    StrategyUnderTest make(PartitionScenario sc, Random rnd);
  }

  interface Promise {
    Set<Integer> promised(PartitionScenario sc, PartitionChecker.Outcome out);
  }

  private static StrategyUnderTest sut(Function<ClusterView, Decision> f, Promise p) {
    return new StrategyUnderTest() {
      @Override
      public Function<ClusterView, Decision> strategy() {
        return f;
      }

      @Override
      public Set<Integer> promised(PartitionScenario sc, PartitionChecker.Outcome out) {
        return p.promised(sc, out);
      }
    };
  }

  private static Stats check(String name, Factory factory) {
    long started = System.nanoTime();
    Random rnd = new Random(SEED ^ name.hashCode());
    int scenarios = 0;
    int views = 0;
    int even = 0;
    int threeWay = 0;
    int crashes = 0;
    int indirect = 0;
    int racing = 0;
    int before = 0;
    int stillIndirect = 0;
    int onlyIndirect = 0;
    int promises = 0;
    int sidesKept = 0;
    // At least MIN_VIEWS scenarios (generated ground truths), hence well over MIN_VIEWS side views.
    while (views < MIN_VIEWS || scenarios < MIN_VIEWS) {
      long seed = rnd.nextLong();
      PartitionScenario sc = PartitionScenario.generate(seed);
      Random local = new Random(seed);
      StrategyUnderTest sut = factory.make(sc, local);
      PartitionChecker.Outcome out = PartitionChecker.run(sc, sut.strategy(), local);
      scenarios++;
      int decided = out.decisions().stream().mapToInt(List::size).sum();
      views += decided;
      even += sc.evenSplit ? 1 : 0;
      threeWay += sc.sides.size() >= 3 ? 1 : 0;
      crashes += sc.crashed.isEmpty() ? 0 : 1;
      indirect += sc.indirect ? 1 : 0;
      racing += sc.racing ? 1 : 0;
      before += sc.before.isEmpty() ? 0 : 1;
      stillIndirect += stillIndirectlyConnected(sc) ? 1 : 0;
      List<String> problems = new ArrayList<>(PartitionChecker.violations(sc, out));
      if (sc.isClean()) {
        for (int side : sut.promised(sc, out)) {
          promises++;
          if (!PartitionChecker.kept(sc, out, side)) {
            problems.add("side " + side + " " + sc.sides.get(side) + " was promised but decided "
                + out.decisions().get(side) + ", downing " + out.downed().get(side));
          }
        }
      }
      for (int i = 0; i < sc.sides.size(); i++) {
        if (out.decided(i) && !PartitionChecker.alive(sc, out, i).isEmpty()) {
          sidesKept++;
        }
      }
      if (problems.size() == 1 && onlyIndirectKeptASide(sc, out, problems.get(0))) {
        onlyIndirect++;
        problems.clear();
      }
      if (!problems.isEmpty()) {
        fail(name + ": " + String.join("\n", problems) + "\n" + sc + "decisions " + out.decisions()
            + "\n(base seed " + SEED + ")");
      }
    }
    Stats stats = new Stats(scenarios, views, even, threeWay, crashes, indirect, racing, before,
        stillIndirect, promises, sidesKept);
    String line = String.format(
        "SBR generated views: %-15s %6d views checked (%d scenarios: %d even splits, %d 3-way,"
            + " %d with crashed members, %d with indirectly connected members, %d with racing"
            + " membership changes, %d with records from before the partition, %d with a side"
            + " still indirectly connected after the indirectly connected are taken out;"
            + " %d promised sides checked; %d with two sides alive because a side saw only"
            + " indirectly connected members, by Pekko's rule) seed %d in %d ms",
        name, views, scenarios, even, threeWay, crashes, indirect, racing, before, stillIndirect,
        promises, onlyIndirect, SEED,
        (System.nanoTime() - started) / 1_000_000);
    log.info(line);
    assertTrue(views >= MIN_VIEWS);
    assertTrue(even > 100 && threeWay > 100 && crashes > 100 && indirect > 100 && racing > 50
        && before > 100 && stillIndirect > 50, "generator coverage too thin: " + stats);
    return stats;
  }

  private static int countViolations(Function<ClusterView, Decision> f, int scenarios) {
    Random rnd = new Random(SEED);
    int bad = 0;
    for (int i = 0; i < scenarios; i++) {
      long seed = rnd.nextLong();
      PartitionScenario sc = PartitionScenario.generate(seed);
      PartitionChecker.Outcome out = PartitionChecker.run(sc, f, new Random(seed));
      if (!PartitionChecker.violations(sc, out).isEmpty()) {
        bad++;
      }
    }
    return bad;
  }

  /**
   * Whether some side's decider sees a view that is still indirectly connected once the records
   * between its indirectly connected members are taken out (while other members are unreachable
   * too): the case where Pekko, and we, down all.
   */
  /**
   * A known limitation shared with Pekko (docs/SPLIT-BRAIN.md, "Indirectly connected members"):
   * with a record from before the partition, a member cut off cleanly can look indirectly
   * connected (it observed someone and is observed). If every unreachable member of a side looks
   * so, the side downs them and keeps the rest without asking the strategy, while the other side
   * may keep itself too (keep-oldest, keep-referee). True when that is the only problem.
   */
  static boolean onlyIndirectKeptASide(PartitionScenario sc, PartitionChecker.Outcome out,
      String problem) {
    if (sc.before.isEmpty() || !problem.startsWith("more than one side alive")) {
      return false;
    }
    for (int i = 0; i < sc.sides.size(); i++) {
      List<Decision> ds = out.decisions().get(i);
      if (!ds.isEmpty() && !PartitionChecker.alive(sc, out, i).isEmpty()
          && ds.stream().allMatch(d -> d instanceof Decision.DownIndirectlyConnected di
              && di.forTheRest().isEmpty())) {
        return true;
      }
    }
    return false;
  }

  static boolean stillIndirectlyConnected(PartitionScenario sc) {
    for (int i = 0; i < sc.sides.size(); i++) {
      for (Node d : sc.deciders(i)) {
        ClusterView v = sc.viewOf(i, d);
        if (v.needsDecision() && stillIndirectlyConnected(v)) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean stillIndirectlyConnected(ClusterView v) {
    return !IndirectConnections.of(v).isEmpty()
        && !IndirectConnections.unreachableButNotIndirectlyConnected(v).isEmpty()
        && !IndirectConnections.of(IndirectConnections.withoutIndirectRecords(v)).isEmpty();
  }

  static List<ViewMember> counted(PartitionScenario sc, Optional<String> role) {
    return sc.base.stream()
        .filter(m -> m.status() == MemberStatus.UP || m.status() == MemberStatus.LEAVING)
        .filter(m -> role.map(m::hasRole).orElse(true))
        .toList();
  }

  static int here(PartitionScenario sc, int side, Optional<String> role) {
    return (int) counted(sc, role).stream().filter(m -> sc.sides.get(side).contains(m.node()))
        .count();
  }

  static int sideOf(PartitionScenario sc, Node node) {
    for (int i = 0; i < sc.sides.size(); i++) {
      if (sc.sides.get(i).contains(node)) {
        return i;
      }
    }
    return -1;
  }

  static Set<Integer> majoritySides(PartitionScenario sc, Optional<String> role) {
    Set<Integer> keep = new TreeSet<>();
    List<ViewMember> ms = counted(sc, role);
    if (ms.isEmpty()) {
      return keep;
    }
    Node lowest = ms.stream().map(ViewMember::node).min(Comparator.naturalOrder()).get();
    for (int i = 0; i < sc.sides.size(); i++) {
      int here = here(sc, i, role);
      if (2 * here > ms.size() || (2 * here == ms.size() && sc.sides.get(i).contains(lowest))) {
        keep.add(i);
      }
    }
    return keep;
  }

  private static long seed() {
    String s = System.getProperty("regent.sim.seed", "");
    return s.isBlank() ? 20261123L : Long.parseLong(s.trim());
  }
}
