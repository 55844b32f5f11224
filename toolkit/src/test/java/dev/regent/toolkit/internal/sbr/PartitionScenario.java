package dev.regent.toolkit.internal.sbr;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A generated ground truth: members, which are crashed, which links carry heartbeats, and from that
 * the gossip-connected sides and each side's own {@link ClusterView}. Seeded and deterministic.
 *
 * <p>Model: every live member monitors every other member (true for Pekko clusters of up to 10
 * members), a record {@code o->s} exists on a side when {@code o} is on it and does not hear
 * {@code s}; gossip connects members that hear each other both ways, so a side is a connected
 * component of that graph; every member of a side has seen the side's latest gossip (the state
 * after {@code stable-after}). A membership change may race the partition: one side may already
 * see a Joining member as Up, or a Leaving member as Exiting. Links may also have broken before the
 * partition: their records reached every member, so every side carries them, also the sides that
 * cannot see their observer any more (Pekko's "indirectly connected happens before clean
 * partition").
 */
final class PartitionScenario {

  static final String ROLE = "voter";

  final long seed;
  final List<ViewMember> base;
  final Set<Node> crashed;
  /** hears[o][s]: o receives s's heartbeats. */
  final boolean[][] hears;
  final List<Set<Node>> sides;
  final List<ClusterView> views;
  final int groups;
  final boolean evenSplit;
  final boolean indirect;
  final boolean racing;
  /** Records from before the partition, carried by every side; empty for most scenarios. */
  final Set<Unreachability> before;
  final boolean allUp;

  private PartitionScenario(long seed, List<ViewMember> base, Set<Node> crashed, boolean[][] hears,
      List<Set<Node>> sides, List<ClusterView> views, int groups, boolean evenSplit,
      boolean indirect, boolean racing, Set<Unreachability> before) {
    this.seed = seed;
    this.base = base;
    this.crashed = crashed;
    this.hears = hears;
    this.sides = sides;
    this.views = views;
    this.groups = groups;
    this.evenSplit = evenSplit;
    this.indirect = indirect;
    this.racing = racing;
    this.before = before;
    this.allUp = base.stream().allMatch(m -> m.status() == MemberStatus.UP);
  }

  /** A clean scenario: no indirect links, no racing change, every member Up. */
  boolean isClean() {
    return !indirect && !racing && allUp && before.isEmpty();
  }

  static PartitionScenario generate(long seed) {
    Random rnd = new Random(seed);
    int n = 2 + rnd.nextInt(8); // 2..9
    // Hosts in random order, so address order and age order differ.
    List<Integer> hostIds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      hostIds.add(i + 1);
    }
    Collections.shuffle(hostIds, rnd);
    boolean someNotUp = rnd.nextInt(3) == 0;
    boolean roles = rnd.nextBoolean();
    List<ViewMember> base = new ArrayList<>();
    int up = 1;
    for (int i = 0; i < n; i++) {
      Node node = new Node("10.0.0." + hostIds.get(i), 7355, 1000L + rnd.nextInt(1000));
      MemberStatus status = MemberStatus.UP;
      if (someNotUp && rnd.nextInt(4) == 0) {
        MemberStatus[] odd = {MemberStatus.JOINING, MemberStatus.WEAKLY_UP, MemberStatus.LEAVING,
            MemberStatus.EXITING, MemberStatus.DOWN};
        status = odd[rnd.nextInt(odd.length)];
      }
      int upNumber = status.isPossiblyUp() ? Integer.MAX_VALUE : up++;
      Set<String> rs = roles && rnd.nextInt(10) < 7 ? Set.of(ROLE) : Set.of();
      base.add(new ViewMember(node, status, upNumber, rs));
    }
    // Crashes.
    Set<Node> crashed = new TreeSet<>();
    if (rnd.nextInt(3) == 0) {
      for (ViewMember m : base) {
        if (rnd.nextInt(4) == 0) {
          crashed.add(m.node());
        }
      }
    }
    List<Node> live = new ArrayList<>();
    for (ViewMember m : base) {
      if (!crashed.contains(m.node())) {
        live.add(m.node());
      }
    }
    if (live.isEmpty()) {
      crashed.remove(base.get(0).node());
      live.add(base.get(0).node());
    }
    // Partition the live members into groups.
    int groups = 1 + rnd.nextInt(Math.min(3, live.size()));
    boolean even = false;
    Map<Node, Integer> group = new HashMap<>();
    Collections.shuffle(live, rnd);
    if (groups == 2 && live.size() % 2 == 0 && rnd.nextBoolean()) {
      even = true;
      for (int i = 0; i < live.size(); i++) {
        group.put(live.get(i), i < live.size() / 2 ? 0 : 1);
      }
    } else {
      for (int i = 0; i < live.size(); i++) {
        group.put(live.get(i), i < groups ? i : rnd.nextInt(groups));
      }
    }
    if (groups == 2 && !even) {
      long g0 = group.values().stream().filter(g -> g == 0).count();
      even = g0 * 2 == live.size();
    }
    // Heartbeat links.
    List<Node> all = base.stream().map(ViewMember::node).toList();
    int size = all.size();
    boolean[][] hears = new boolean[size][size];
    for (int o = 0; o < size; o++) {
      for (int s = 0; s < size; s++) {
        Node no = all.get(o);
        Node ns = all.get(s);
        hears[o][s] = o == s || (!crashed.contains(no) && !crashed.contains(ns)
            && group.get(no).equals(group.get(ns)));
      }
    }
    boolean indirect = false;
    if (rnd.nextInt(4) == 0 && live.size() >= 2) {
      indirect = true;
      int kind = rnd.nextInt(3);
      if (kind == 0) {
        // Symmetric broken links inside a group.
        for (int k = 0; k < 1 + rnd.nextInt(2); k++) {
          int a = all.indexOf(live.get(rnd.nextInt(live.size())));
          int b = all.indexOf(live.get(rnd.nextInt(live.size())));
          if (a != b) {
            hears[a][b] = false;
            hears[b][a] = false;
          }
        }
      } else if (kind == 1) {
        // One direction lost (o stops hearing s).
        int a = all.indexOf(live.get(rnd.nextInt(live.size())));
        int b = all.indexOf(live.get(rnd.nextInt(live.size())));
        boolean thirdParty = false;
        for (Node c : live) {
          int ci = all.indexOf(c);
          thirdParty |= ci != a && ci != b && hears[a][ci] && hears[ci][a] && hears[b][ci]
              && hears[ci][b];
        }
        // Only where gossip still flows through a third member (else the pair is a clean split).
        if (a != b && thirdParty) {
          hears[a][b] = false;
        }
      } else {
        // A bridge: one member still talks to some members of other groups.
        Node bridge = live.get(rnd.nextInt(live.size()));
        int a = all.indexOf(bridge);
        for (Node other : live) {
          if (!group.get(other).equals(group.get(bridge)) && rnd.nextBoolean()) {
            int b = all.indexOf(other);
            hears[a][b] = true;
            hears[b][a] = true;
          }
        }
      }
    }
    // Links that broke before the partition (own random stream, so the other draws stay as they
    // were): o stopped hearing s while gossip still reached everybody, so the record o->s went to
    // every member and stays on every side after the partition. Either a one-way loss inside a
    // group with a third member that keeps o and s connected, or a link between members that the
    // partition then put into different groups.
    Set<Unreachability> before = new TreeSet<>(Comparator.comparing(Unreachability::toString));
    Random early = new Random(seed ^ 0x5DEECE66DL);
    if (groups >= 2 && early.nextInt(5) == 0) {
      for (int k = 0; k < 1 + early.nextInt(2); k++) {
        Node o = live.get(early.nextInt(live.size()));
        Node s = live.get(early.nextInt(live.size()));
        int oi = all.indexOf(o);
        int si = all.indexOf(s);
        if (oi == si) {
          continue;
        }
        boolean thirdParty = false;
        for (Node c : live) {
          int ci = all.indexOf(c);
          thirdParty |= ci != oi && ci != si && hears[oi][ci] && hears[ci][oi] && hears[si][ci]
              && hears[ci][si];
        }
        if (!hears[oi][si] || thirdParty) {
          hears[oi][si] = false;
          before.add(new Unreachability(o, s));
        }
      }
    }
    // Sides: components of the "hear each other both ways" graph over live members.
    List<Set<Node>> sides = new ArrayList<>();
    Set<Node> assigned = new HashSet<>();
    for (Node start : live) {
      if (assigned.contains(start)) {
        continue;
      }
      Set<Node> side = new TreeSet<>();
      List<Node> todo = new ArrayList<>(List.of(start));
      while (!todo.isEmpty()) {
        Node x = todo.remove(todo.size() - 1);
        if (!side.add(x)) {
          continue;
        }
        int xi = all.indexOf(x);
        for (Node y : live) {
          int yi = all.indexOf(y);
          if (!side.contains(y) && hears[xi][yi] && hears[yi][xi]) {
            todo.add(y);
          }
        }
      }
      assigned.addAll(side);
      sides.add(side);
    }
    // A membership change racing the partition: seen by one side only.
    // Only the cluster leader changes status, and only after every member has seen the previous
    // state, so the side with the leader from before the partition (lowest address among Up and
    // Leaving members) sees the change; each other side may or may not have received it.
    boolean racing = false;
    Map<Integer, ViewMember> raced = new HashMap<>();
    Set<Integer> racedSides = new HashSet<>();
    Node leader = base.stream()
        .filter(m -> m.status() == MemberStatus.UP || m.status() == MemberStatus.LEAVING)
        .map(ViewMember::node).min(Node::compareTo).orElse(null);
    int leaderSide = -1;
    for (int si = 0; si < sides.size(); si++) {
      if (leader != null && sides.get(si).contains(leader)) {
        leaderSide = si;
      }
    }
    if (sides.size() > 1 && leaderSide >= 0 && rnd.nextInt(3) > 0) {
      List<ViewMember> candidates = base.stream()
          .filter(m -> m.status() == MemberStatus.JOINING || m.status() == MemberStatus.WEAKLY_UP
              || m.status() == MemberStatus.LEAVING)
          .toList();
      if (!candidates.isEmpty()) {
        ViewMember m = candidates.get(rnd.nextInt(candidates.size()));
        ViewMember changed = m.status() == MemberStatus.LEAVING
            ? m.withStatus(MemberStatus.EXITING, m.upNumber())
            : m.withStatus(MemberStatus.UP, up);
        raced.put(base.indexOf(m), changed);
        racedSides.add(leaderSide);
        for (int si = 0; si < sides.size(); si++) {
          if (rnd.nextInt(3) == 0) {
            racedSides.add(si);
          }
        }
        racing = racedSides.size() < sides.size();
      }
    }
    List<ClusterView> views = new ArrayList<>();
    for (int si = 0; si < sides.size(); si++) {
      Set<Node> side = sides.get(si);
      List<ViewMember> ms = new ArrayList<>();
      for (int i = 0; i < base.size(); i++) {
        ms.add(racedSides.contains(si) && raced.containsKey(i) ? raced.get(i) : base.get(i));
      }
      Set<Unreachability> records = new HashSet<>();
      Set<Node> unreachable = new HashSet<>();
      for (Node o : side) {
        int oi = all.indexOf(o);
        for (int s = 0; s < size; s++) {
          if (s != oi && !hears[oi][s]) {
            records.add(new Unreachability(o, all.get(s)));
            unreachable.add(all.get(s));
          }
        }
      }
      for (Unreachability r : before) {
        records.add(r);
        unreachable.add(r.subject());
      }
      views.add(new ClusterView(ms, unreachable, records, side));
    }
    return new PartitionScenario(seed, base, crashed, hears, sides, views, groups, even, indirect,
        racing, Set.copyOf(before));
  }

  /**
   * The members of a side that take split-brain decisions: each member that considers itself the
   * cluster leader (as Pekko picks it: the lowest address among members that are not Down and
   * are reachable, a member always counting itself as reachable, preferring Up and Leaving ones)
   * and has been Up. With indirectly connected members a side can have more than one.
   */
  List<Node> deciders(int side) {
    ClusterView v = views.get(side);
    List<Node> out = new ArrayList<>();
    for (Node d : sides.get(side)) {
      List<ViewMember> reachable = v.members().stream()
          .filter(m -> m.status() != MemberStatus.DOWN
              && (!v.isUnreachable(m.node()) || m.node().equals(d)))
          .sorted(ViewMember.ADDRESS_ORDER)
          .toList();
      Node leader = reachable.stream()
          .filter(m -> m.status() == MemberStatus.UP || m.status() == MemberStatus.LEAVING)
          .map(ViewMember::node)
          .findFirst()
          .orElse(reachable.isEmpty() ? null : reachable.get(0).node());
      MemberStatus own = statusOn(side, d);
      if (d.equals(leader) && (own == MemberStatus.UP || own == MemberStatus.WEAKLY_UP
          || own == MemberStatus.LEAVING)) {
        out.add(d);
      }
    }
    return out;
  }

  /** The view a decider acts on: its side's view, without itself among the unreachable. */
  ClusterView viewOf(int side, Node decider) {
    ClusterView v = views.get(side);
    Set<Node> unreachable = new HashSet<>(v.unreachable());
    unreachable.remove(decider);
    return new ClusterView(v.members(), unreachable, v.records(), v.seenBy());
  }

  /** The member's status as the given side sees it. */
  MemberStatus statusOn(int side, Node node) {
    return views.get(side).member(node).orElseThrow().status();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("scenario seed=" + seed + " members=" + base
        + " crashed=" + crashed + " sides=" + sides + (indirect ? " indirect" : "")
        + (racing ? " racing" : "") + (before.isEmpty() ? "" : " before=" + before) + "\n");
    for (int i = 0; i < views.size(); i++) {
      sb.append("  view of side ").append(i).append(": ").append(views.get(i)).append('\n');
    }
    return sb.toString();
  }
}
