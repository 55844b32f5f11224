package dev.regent.toolkit.internal.sbr;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
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

  /** The result of every side's deciders deciding on their own views. */
  record Outcome(List<List<Decision>> decisions, List<Set<Node>> downed, String leaseWinner) {
    boolean decided(int side) {
      return !decisions.get(side).isEmpty();
    }
  }

  private PartitionChecker() {}

  /**
   * On each side, every decider (see {@link PartitionScenario#deciders}) with an unreachable member
   * in its view decides; the side's downed members are the union. Lease decisions are resolved as
   * a shared lease would: deciders ask in order of their delay (ties in random order) and only the
   * first gets it.
   */
  static Outcome run(PartitionScenario sc, Function<ClusterView, Decision> strategy, Random rnd) {
    int n = sc.sides.size();
    record Ask(int side, Node decider, ClusterView view, Decision decision) {}
    List<Ask> asks = new ArrayList<>();
    List<List<Decision>> decisions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Decision> ds = new ArrayList<>();
      for (Node d : sc.deciders(i)) {
        ClusterView view = sc.viewOf(i, d);
        if (view.needsDecision()) {
          Decision decision = strategy.apply(view);
          ds.add(decision);
          asks.add(new Ask(i, d, view, decision));
        }
      }
      decisions.add(ds);
    }
    List<Ask> leaseAsks = new ArrayList<>(
        asks.stream().filter(a -> a.decision() instanceof Decision.AcquireLease).toList());
    Collections.shuffle(leaseAsks, rnd);
    leaseAsks.sort(Comparator.comparing(a -> ((Decision.AcquireLease) a.decision()).delay()));
    Ask winner = leaseAsks.isEmpty() ? null : leaseAsks.get(0);
    List<Set<Node>> downed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      downed.add(new TreeSet<>());
    }
    for (Ask a : asks) {
      downed.get(a.side()).addAll(Downing.nodesToDown(a.view(), a.decision(), a == winner));
    }
    return new Outcome(decisions, downed,
        winner == null ? null : winner.side() + ":" + winner.decider());
  }

  static int leaseWinnerSide(Outcome out) {
    return out.leaseWinner() == null ? -1
        : Integer.parseInt(out.leaseWinner().substring(0, out.leaseWinner().indexOf(':')));
  }

  /**
   * Members of the side that stay in the cluster: Up in the side's own view and not downed by it;
   * on a side that decided, also Joining and WeaklyUp members it did not down (once the other
   * side is downed the side converges and its leader moves them to Up). Leaving members are not
   * counted: once the unreachable members are downed the side converges and they complete their
   * leave (Exiting, Removed, shut down).
   */
  static Set<Node> alive(PartitionScenario sc, Outcome out, int side) {
    boolean decided = out.decided(side);
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
            .append(" after ").append(out.decisions().get(i))
            .append(';');
      }
      problems.add(sb.toString());
    }
    // The members a side keeps alive must hear each other (indirectly connected ones are downed).
    List<ViewMember> all = sc.base;
    for (int i = 0; i < sc.sides.size(); i++) {
      Set<Node> survivors = alive(sc, out, i);
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
