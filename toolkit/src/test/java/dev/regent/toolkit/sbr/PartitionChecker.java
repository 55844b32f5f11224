package dev.regent.toolkit.sbr;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Runs a decision function on every side of a {@link PartitionScenario} (each side on its own
 * view) and checks the outcome: at most one side keeps members alive, the members a side keeps
 * hear each other, and (for clean scenarios) the side the strategy promises to keep is kept.
 */
final class PartitionChecker {

  /** The result of every side deciding on its own view. */
  record Outcome(List<Optional<Decision>> decisions, List<Set<Node>> downed, int leaseWinner) {}

  private PartitionChecker() {}

  /**
   * Each side with a member that could lead (Up, Leaving or WeaklyUp in its own view) and an
   * unreachable member decides. Lease decisions are resolved as a shared lease would: sides ask in
   * order of their delay (ties in random order) and only the first gets it.
   */
  static Outcome run(PartitionScenario sc, Function<ClusterView, Decision> strategy, Random rnd) {
    int n = sc.sides.size();
    List<Optional<Decision>> decisions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ClusterView view = sc.views.get(i);
      decisions.add(canDecide(sc, i) && view.needsDecision()
          ? Optional.of(strategy.apply(view)) : Optional.empty());
    }
    List<Integer> askers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (decisions.get(i).orElse(null) instanceof Decision.AcquireLease) {
        askers.add(i);
      }
    }
    Collections.shuffle(askers, rnd);
    askers.sort(Comparator.comparing(i -> ((Decision.AcquireLease) decisions.get(i).get()).delay()));
    int winner = askers.isEmpty() ? -1 : askers.get(0);
    List<Set<Node>> downed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Optional<Decision> d = decisions.get(i);
      downed.add(d.isEmpty() ? Set.of()
          : Downing.nodesToDown(sc.views.get(i), d.get(), i == winner));
    }
    return new Outcome(decisions, downed, winner);
  }

  static boolean canDecide(PartitionScenario sc, int side) {
    for (Node node : sc.sides.get(side)) {
      MemberStatus s = sc.statusOn(side, node);
      if (s == MemberStatus.UP || s == MemberStatus.LEAVING || s == MemberStatus.WEAKLY_UP) {
        return true;
      }
    }
    return false;
  }

  /**
   * Members of the side that stay in the cluster: Up in the side's own view and not downed by it;
   * on a side that decided, also Joining and WeaklyUp members it did not down (once the other
   * side is downed the side converges and its leader moves them to Up). Leaving members are not
   * counted: once the unreachable members are downed the side converges and they complete their
   * leave (Exiting, Removed, shut down).
   */
  static Set<Node> alive(PartitionScenario sc, Outcome out, int side) {
    boolean decided = out.decisions().get(side).isPresent();
    Set<Node> alive = new TreeSet<>();
    for (Node node : sc.sides.get(side)) {
      MemberStatus s = sc.statusOn(side, node);
      if ((s == MemberStatus.UP || (decided && s.isPossiblyUp()))
          && !out.downed().get(side).contains(node)) {
        alive.add(node);
      }
    }
    return alive;
  }

  /** A side is kept when none of its Up/Leaving members is downed (and it has some). */
  static boolean kept(PartitionScenario sc, Outcome out, int side) {
    Set<Node> alive = alive(sc, out, side);
    return !alive.isEmpty()
        && sc.sides.get(side).stream()
            .filter(m -> sc.statusOn(side, m) == MemberStatus.UP
                || sc.statusOn(side, m) == MemberStatus.LEAVING)
            .allMatch(alive::contains);
  }

  /** The safety problems of an outcome, empty when there are none. */
  static List<String> violations(PartitionScenario sc, Outcome out) {
    List<String> problems = new ArrayList<>();
    List<Integer> aliveSides = new ArrayList<>();
    for (int i = 0; i < sc.sides.size(); i++) {
      if (!alive(sc, out, i).isEmpty()) {
        aliveSides.add(i);
      }
    }
    if (aliveSides.size() > 1) {
      StringBuilder sb = new StringBuilder("more than one side alive:");
      for (int i : aliveSides) {
        sb.append(" side ").append(i).append(" keeps ").append(alive(sc, out, i))
            .append(" after ").append(out.decisions().get(i).map(Object::toString).orElse("none"))
            .append(';');
      }
      problems.add(sb.toString());
    }
    // The members a side keeps (not Down or Exiting) must hear each other (indirectly connected
    // ones are downed).
    List<ViewMember> all = sc.base;
    for (int i = 0; i < sc.sides.size(); i++) {
      final int side = i;
      List<Node> survivors = new ArrayList<>(sc.sides.get(i).stream()
          .filter(m -> sc.statusOn(side, m) != MemberStatus.DOWN
              && sc.statusOn(side, m) != MemberStatus.EXITING)
          .toList());
      survivors.removeAll(out.downed().get(i));
      for (Node a : survivors) {
        for (Node b : survivors) {
          int ai = indexOf(all, a);
          int bi = indexOf(all, b);
          if (!sc.hears[ai][bi]) {
            problems.add("side " + i + " keeps " + a + " and " + b + " but " + a + " does not hear "
                + b);
          }
        }
      }
    }
    return problems;
  }

  private static int indexOf(List<ViewMember> ms, Node n) {
    for (int i = 0; i < ms.size(); i++) {
      if (ms.get(i).node().equals(n)) {
        return i;
      }
    }
    throw new IllegalArgumentException(n.toString());
  }
}
