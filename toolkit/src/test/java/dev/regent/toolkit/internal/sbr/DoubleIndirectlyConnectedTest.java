package dev.regent.toolkit.internal.sbr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.sbr.DowningStrategy;
import org.junit.jupiter.api.Test;
import scala.concurrent.duration.FiniteDuration;

/**
 * Pekko's {@code SplitBrainResolverSpec}, "double DownIndirectlyConnected when indirectly connected
 * happens before clean partition: {A, B, C} | {(D, E), (F, G)} => {}": D stopped hearing E and G
 * stopped hearing F while the cluster was still one, and those records reached every member; then
 * the cluster split cleanly into {A, B, C} and {D, E, F, G}.
 *
 * <p>On {A, B, C}'s side, A also observes D, E, F and G, so D and G both observe and are observed:
 * they are indirectly connected (a cycle), E and F are not. Taking out the records between the
 * indirectly connected members removes nothing (D->E and G->F each have one end outside the
 * cycle), so the reduced view is still indirectly connected. Pekko's nested decision on it is
 * again "down indirectly connected"; Pekko then downs every member (its actor catches the
 * {@code IllegalStateException} and downs all). The other side finds D, E, F, G through seen
 * gossip, keeps itself as the majority of the rest, downs A, B, C and the indirectly connected:
 * also every member.
 *
 * <p>On the code before the fix this failed with: {@code keep-majority on {A, B, C} downs every
 * member, as Pekko ==> expected: <[10.0.0.1:7355#1, 10.0.0.2:7355#2, 10.0.0.3:7355#3,
 * 10.0.0.4:7355#4, 10.0.0.5:7355#5, 10.0.0.6:7355#6, 10.0.0.7:7355#7]> but was:
 * <[10.0.0.1:7355#1, 10.0.0.2:7355#2, 10.0.0.3:7355#3, 10.0.0.4:7355#4, 10.0.0.7:7355#7]>}
 * (the nested decision was taken by {@code decideClean}, which never reports indirectly connected
 * members, so the side downed itself and D, G, and left E and F up).
 */
class DoubleIndirectlyConnectedTest {

  private static final Node A = node(1);
  private static final Node B = node(2);
  private static final Node C = node(3);
  private static final Node D = node(4);
  private static final Node E = node(5);
  private static final Node F = node(6);
  private static final Node G = node(7);

  private static final List<ViewMember> SEVEN = List.of(up(A, 1), up(B, 2), up(C, 3), up(D, 4),
      up(E, 5), up(F, 6), up(G, 7));
  private static final Set<Node> ALL = Set.of(A, B, C, D, E, F, G);
  private static final Set<Node> SIDE1 = Set.of(A, B, C);
  private static final Set<Node> SIDE2 = Set.of(D, E, F, G);
  /** The records from before the clean partition: D->E and G->F. */
  private static final List<Unreachability> BEFORE =
      List.of(new Unreachability(D, E), new Unreachability(G, F));

  private static Node node(int i) {
    return new Node("10.0.0." + i, 7355, i);
  }

  private static ViewMember up(Node n, int upNumber) {
    return new ViewMember(n, MemberStatus.UP, upNumber, Set.of());
  }

  /**
   * The view of a side as Pekko's spec builds it: the records from before the partition, plus the
   * first member of the side (the decider) observing every member of the other side; the side has
   * seen the current gossip.
   */
  private static ClusterView view(Node decider, Set<Node> side) {
    Set<Unreachability> records = new HashSet<>(BEFORE);
    for (Node other : ALL) {
      if (!side.contains(other)) {
        records.add(new Unreachability(decider, other));
      }
    }
    Set<Node> unreachable = new HashSet<>();
    records.forEach(r -> unreachable.add(r.subject()));
    return new ClusterView(SEVEN, unreachable, records, side);
  }

  @Test
  void keepMajorityDownsEveryMemberOnBothSidesAsPekko() {
    KeepMajority ours = new KeepMajority(Optional.empty());
    Function<UniqueAddress, DowningStrategy> pekko =
        self -> new org.apache.pekko.cluster.sbr.KeepMajority("default", scala.Option.empty(),
            self);

    ClusterView side1 = view(A, SIDE1);
    assertEquals(Set.of(D, G), IndirectConnections.of(side1));
    assertEquals(Set.of(D, G),
        IndirectConnections.of(IndirectConnections.withoutIndirectRecords(side1)),
        "the reduced view is still indirectly connected");
    assertEquals(new TreeSet<>(ALL), Downing.nodesToDown(side1, ours.decide(side1)),
        "keep-majority on {A, B, C} downs every member, as Pekko");
    assertInstanceOf(Decision.DownAll.class, ours.decide(side1));
    assertEquals(pekkoDown(pekko, side1, A, false), Downing.nodesToDown(side1, ours.decide(side1)));

    ClusterView side2 = view(D, SIDE2);
    assertEquals(new TreeSet<>(ALL), Downing.nodesToDown(side2, ours.decide(side2)),
        "keep-majority on {D, E, F, G} downs every member, as Pekko");
    assertEquals(pekkoDown(pekko, side2, D, false), Downing.nodesToDown(side2, ours.decide(side2)));
  }

  /** The same views under every other strategy Pekko has: the members downed are Pekko's. */
  @Test
  void otherStrategiesDownWhatPekkoDowns() {
    compare(new StaticQuorum(4, Optional.empty()), self ->
        new org.apache.pekko.cluster.sbr.StaticQuorum("default", 4, scala.Option.empty(), self));
    compare(new KeepOldest(false, Optional.empty()), self ->
        new org.apache.pekko.cluster.sbr.KeepOldest("default", false, scala.Option.empty(), self));
    compare(new KeepOldest(true, Optional.empty()), self ->
        new org.apache.pekko.cluster.sbr.KeepOldest("default", true, scala.Option.empty(), self));
    compare(new DownAllStrategy(),
        self -> new org.apache.pekko.cluster.sbr.DownAllNodes("default", self));
  }

  /**
   * Lease-majority on {A, B, C}: Pekko acquires the lease at once; with the lease its nested
   * decision on the reduced view is again indirectly connected, so it downs every member. Without
   * the lease it downs its own side and the indirectly connected D and G (no nested decision).
   *
   * <p>On the code before the fix this failed with: {@code lease-majority on {A, B, C} with the
   * lease downs every member, as Pekko ==> expected: <[10.0.0.1:7355#1, 10.0.0.2:7355#2,
   * 10.0.0.3:7355#3, 10.0.0.4:7355#4, 10.0.0.5:7355#5, 10.0.0.6:7355#6, 10.0.0.7:7355#7]> but was:
   * <[10.0.0.4:7355#4, 10.0.0.5:7355#5, 10.0.0.6:7355#6, 10.0.0.7:7355#7]>}
   */
  @Test
  void leaseMajorityWithTheLeaseDownsEveryMemberAsPekko() {
    LeaseMajority ours = new LeaseMajority(Optional.empty(), "x", "", Duration.ofSeconds(2),
        Duration.ofSeconds(40));
    Function<UniqueAddress, DowningStrategy> pekko =
        self -> new org.apache.pekko.cluster.sbr.LeaseMajority("default", scala.Option.empty(),
            null, FiniteDuration.create(2, "s"), FiniteDuration.create(40, "s"), self);
    ClusterView side1 = view(A, SIDE1);
    Decision.AcquireLease d = (Decision.AcquireLease) ours.decide(side1);
    assertEquals(Duration.ZERO, d.delay());
    assertEquals(new TreeSet<>(ALL), Downing.nodesToDown(side1, d, true),
        "lease-majority on {A, B, C} with the lease downs every member, as Pekko");
    assertEquals(pekkoDown(pekko, side1, A, true), Downing.nodesToDown(side1, d, true));
    assertEquals(Set.of(A, B, C, D, G), Downing.nodesToDown(side1, d, false));
    assertEquals(pekkoDown(pekko, side1, A, false), Downing.nodesToDown(side1, d, false));

    ClusterView side2 = view(D, SIDE2);
    Decision d2 = ours.decide(side2);
    for (boolean lease : new boolean[] {true, false}) {
      assertEquals(pekkoDown(pekko, side2, D, lease), Downing.nodesToDown(side2, d2, lease),
          "side {D, E, F, G}, lease acquired: " + lease);
    }
  }

  private static void compare(Strategy ours, Function<UniqueAddress, DowningStrategy> pekko) {
    for (ClusterView v : List.of(view(A, SIDE1), view(D, SIDE2))) {
      Node self = v.seenBy().contains(A) ? A : D;
      assertEquals(pekkoDown(pekko, v, self, false), Downing.nodesToDown(v, ours.decide(v)),
          ours.name() + " on the side of " + self);
    }
  }

  private static Set<Node> pekkoDown(Function<UniqueAddress, DowningStrategy> make,
      ClusterView view, Node self, boolean lease) {
    DowningStrategy s = PekkoDifferentialTest.pekko(make, view, self);
    return PekkoDifferentialTest.pekkoNodesToDown(s, s.decide(), lease);
  }
}
