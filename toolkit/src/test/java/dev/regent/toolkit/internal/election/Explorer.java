package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.internal.election.ElectionEffect.Elected;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaseAcquired;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaseRenewed;
import dev.regent.toolkit.internal.election.ElectionEffect.Persist;
import dev.regent.toolkit.internal.election.ElectionEffect.ReleaseHosting;
import dev.regent.toolkit.internal.election.ElectionEffect.Send;
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
import dev.regent.toolkit.leadership.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Bounded exhaustive exploration of the real {@link ElectionCore}, in the manner of a model
 * checker: from a scenario's initial state, every sequence of events up to a depth is run through
 * the production core, states already seen (at the same or a smaller depth) are not expanded
 * again, and safety invariants are checked after every event. A violation is reported with the
 * path that leads to it, as a readable list of events.
 *
 * <h2>The model</h2>
 * Three nodes {@code a, b, c} (four with {@code d} in the membership scenarios), each running the
 * real core (its own {@link ElectionCore} instance, so per-node timings can differ). The
 * explorer plays the shell and the network. In every state, each of these events is a choice:
 * <ul>
 *   <li><b>deliver</b> any message in flight to a running node (any order: the network may reorder
 *       arbitrarily, identical copies count once as a choice);
 *   <li><b>duplicate</b>: deliver a message and keep a copy in flight (budget per path);
 *   <li><b>lose</b> a message: implicit. Any message may stay in flight forever, which is the
 *       same as losing it (the invariants never look at messages in flight, and whatever can
 *       happen without a message can happen with it still in flight), so an explicit "lose m"
 *       event adds no behaviour, only an event per path ({@code Options.withExplicitLoss} turns
 *       it on; the scripted starts may use "the network loses every message in flight");
 *   <li><b>tick</b> a running node whose {@code wakeAt} has come;
 *   <li><b>crash</b> a running node (budget per path): it stops; its singleton instances die with
 *       it; messages in flight to it stay in flight (they may reach its next incarnation);
 *   <li><b>restart</b> a crashed node with its durable state (the last {@code Persist}) or with its
 *       state lost (a fresh {@link NodeId} with a new state id and {@link HardState#INITIAL}); the
 *       shell feeds the current eligible set right after {@code start} (one event);
 *   <li><b>transfer</b>: {@code TransferLeadership} at the leader (budget per path), and
 *       <b>release</b>: {@code HostingReleased(term)} at a node that was asked to
 *       {@code ReleaseHosting(term)}, at any later point (or never);
 *   <li><b>membership</b> (scenario-dependent, one change per path): a node joins, a voter leaves,
 *       or one voter is swapped for another; each running node then learns the new eligible set
 *       by its own <b>notify</b> event, so nodes see the change at different times;
 *   <li><b>advance</b> the clock (see below).
 * </ul>
 * Every event counts one towards the depth, ticks and clock advances included.
 *
 * <h2>Time abstraction</h2>
 * <b>Kept.</b> One global discrete clock; every node's monotonic clock is the global clock. The
 * timings are small integers (the unit is 1 ns of the core's clock: heartbeat 1, lease 3, election
 * timeout min 4, max 4 + span, hand-over timeout 2, drift 0; in ROLLING3 node a has lease 5 and
 * timeout min 6), so all deadlines are integers. The default span is 2 (a timeout is 4 or 5);
 * some defect hunts use 1 (every timeout is exactly 4), which makes timeouts deterministic.
 * <em>advance</em> jumps to the next relevant deadline: the smallest of every running node's
 * {@code wakeAt}, {@code promiseUntil}, {@code graceUntil}, {@code electionDeadline}, a leader's
 * lease deadline, heartbeat due time and hand-over deadline, and every singleton instance's end,
 * that lies in the future. Between two such instants nothing in the core's behaviour can change
 * by itself, so every ordering of events relative to the deadlines that matter is explored:
 * any number of events happen at each instant, in every order, and a message can be delivered at
 * the instant it was sent (delay 0) or held across any number of advances (delay up to the depth
 * bound), or never. The election timeout's randomness is the core's own (SplitMix from the seed in
 * the state; with span s the timeout takes s values); the explorer does not branch on it, and the
 * restart seed is fixed per identity.
 * <br><b>Dropped.</b> Events at instants that are not deadlines (a message arriving strictly
 * between two deadlines is explored only as arriving at one of them); clock drift and clocks
 * that differ between nodes (drift is 0 in the timings, so the lease/promise margin is exactly
 * one unit: {@code lease < election-timeout-min}); late timers (a node's {@code Tick} fires at
 * its {@code wakeAt} instant, after any events of that instant, and the clock never advances past
 * a due timer); the time a node spends down (a restart happens at the crash instant or any later
 * deadline instant). Fsync failures, hostile or malformed input and lineage ids other than those
 * the scenario or a founder creates are not modelled.
 *
 * <h2>State hashing</h2>
 * A state is hashed (64 bits) from a canonical encoding: every node's state (role, terms, votes,
 * configuration, lineage, sets and maps in sorted order, the random position), its durable state,
 * running singleton instances and pending releases; the multiset of messages in flight (sorted
 * hashes); the eligible set; the remaining budgets; and the invariant history (below). Times are
 * encoded relative to the clock: deadlines ({@code promiseUntil, graceUntil, electionDeadline},
 * lease, hand-over and instance ends) in the past are all the same ("passed": the core only
 * compares them with {@code now} or takes the max with a future time); send times
 * ({@code sentAt}, {@code lastHeartbeatAt}, acknowledgements, {@code electedAt}, heartbeat due
 * time) older than the largest lease plus a heartbeat interval are encoded by their rank among
 * such old times (the core only adds at most that much to them, or compares them with each
 * other). {@code leaderContactAt} is diagnostic and not encoded. Two states with the same encoding
 * behave the same in every future, so merging them loses nothing but a hash collision (64-bit
 * keys: a collision among ten million states has a probability of about 3 x 10^-6; a collision
 * would skip a state, never report a false violation).
 *
 * <h2>Invariants (checked after every event)</h2>
 * <ul>
 *   <li><b>S1</b>: at most one {@code Elected} per (lineage, term) over the whole path (a node
 *       elected twice in one term, e.g. after a restart, counts as well);
 *   <li><b>S2</b>: a {@code LeaseAcquired} term is never below an earlier lease term of the same
 *       lineage;
 *   <li><b>S3</b>: at most one node holds a lease at any instant ({@link NodeState#holdsLease}),
 *       and at most one singleton instance runs: an instance starts at {@code LeaseAcquired} and
 *       runs until the node reports {@code HostingReleased} or crashes, else until its last lease
 *       deadline (the manager's guarantee; a step-down does not end it earlier);
 *   <li><b>V</b>: no identity votes for two candidates in one (lineage, term): from every granted
 *       {@code VoteResponse} sent and every persisted vote (including its own);
 *   <li><b>T</b>: a {@code Tick} never leaves a node's {@code wakeAt} at or before {@code now}
 *       (the clock could not advance).
 * </ul>
 * Liveness is not checked.
 *
 * <h2>Search</h2>
 * Depth-first with a visited table that keeps, per state, the smallest depth it was reached at
 * (a state met again at a smaller depth is expanded again), so every state reachable within the
 * bound is expanded; per-depth counts are the number of distinct states whose shortest path has
 * that length. Defect hunts deepen iteratively (1, 2, ...) and stop at the first violation, so the
 * printed path is a shortest one from the start. A start is the scenario's initial state or the
 * state a scripted path of events reaches ({@link #LEADER}, {@link #SPLIT}, ...); the scripted
 * events are checked like any other and printed as part of the path.
 */
final class Explorer {

  static final long LINEAGE = 0x1EADL;

  // ---- scripted starts: each step is the beginning of one event's description ---------------

  /** a wins term 2 with b's vote and takes a lease (until 3) from b's acknowledgement at 0. */
  static final List<String> LEADER = List.of("tick a", "tick b", "tick c",
      "deliver to b: PreVoteRequest(term 2 from a#1",
      "deliver to a: PreVoteResponse(term 2 from b#1, granted",
      "deliver to b: VoteRequest(term 2 from a#1",
      "deliver to a: VoteResponse(term 2 from b#1, granted",
      "deliver to b: Heartbeat(term 2 from a#1",
      "deliver to a: HeartbeatAck(term 2 from b#1");

  /** a and c both passed the pre-vote (b granted both) and ask b for its vote in term 2. */
  static final List<String> SPLIT = List.of("tick a", "tick b", "tick c",
      "deliver to b: PreVoteRequest(term 2 from a#1",
      "deliver to a: PreVoteResponse(term 2 from b#1, granted",
      "deliver to b: PreVoteRequest(term 2 from c#1",
      "deliver to c: PreVoteResponse(term 2 from b#1, granted");

  /**
   * LEADER, c votes for a and takes its heartbeat of 0 (it promises until 4 and has the current
   * configuration), and a keeps leading until t=4 with its lease renewed by b at 2 and 3 (b's
   * promise runs to 7, a's lease to 6).
   */
  static final List<String> RENEWED = concat(LEADER,
      "deliver to c: VoteRequest(term 2 from a#1",
      "deliver to c: Heartbeat(term 2 from a#1, sent at 0",
      "clock advances to 1", "tick a",
      "clock advances to 2", "tick a",
      "deliver to b: Heartbeat(term 2 from a#1, sent at 2",
      "deliver to a: HeartbeatAck(term 2 from b#1, for heartbeat sent at 2",
      "clock advances to 3", "tick a",
      "deliver to b: Heartbeat(term 2 from a#1, sent at 3",
      "deliver to a: HeartbeatAck(term 2 from b#1, for heartbeat sent at 3",
      "clock advances to 4");

  /**
   * LEADER, c votes for a too, and a leads on until t=4 without any delivery (its lease from b's
   * acknowledgement at 0 ran to 3).
   */
  static final List<String> QUIET = concat(LEADER,
      "deliver to c: VoteRequest(term 2 from a#1",
      "clock advances to 1", "tick a",
      "clock advances to 2", "tick a",
      "clock advances to 3", "tick a",
      "clock advances to 4");

  /**
   * LEADER, c votes for a too; a's heartbeat of t=1 reaches b at once (b promises until 5) but
   * b's acknowledgement reaches a only at 3 (a's lease: until 4 from the send time); then quiet
   * until 4.
   */
  static final List<String> LATE_ACK = concat(LEADER,
      "deliver to c: VoteRequest(term 2 from a#1",
      "clock advances to 1", "tick a",
      "deliver to b: Heartbeat(term 2 from a#1, sent at 1",
      "clock advances to 2", "tick a",
      "clock advances to 3",
      "deliver to a: HeartbeatAck(term 2 from b#1, for heartbeat sent at 1",
      "tick a",
      "clock advances to 4");

  static List<String> quiesced(List<String> script) {
    return concat(script, "the network loses every message in flight");
  }

  static List<String> concat(List<String> a, String... more) {
    var out = new ArrayList<>(a);
    out.addAll(List.of(more));
    return List.copyOf(out);
  }
  static final long HAND_OVER = 2;

  /** The initial situations and the membership changes they allow. */
  enum Scenario {
    /** Three voters of one lineage, term 1, no leader, every node's election timeout due. */
    THREE,
    /** THREE plus {@code d}, not yet a member, which may join (and is then added by the leader). */
    JOIN4,
    /** Four voters; any one may leave the eligible set (and stays running). */
    LEAVE4,
    /** THREE, and one change that makes {@code c} leave and {@code d} join at once. */
    SWAP4,
    /** Three nodes without state, bootstrap-expect 3, joining the cluster one by one. */
    BOOTSTRAP3,
    /** THREE with per-node timings: {@code a} takes a 5-unit lease (timeout 6), b and c 3 (4). */
    ROLLING3
  }

  /**
   * @param depth how many events a path may have
   * @param stateCap stop after this many distinct states (the result says it was capped)
   * @param timeoutSpan election-timeout-max minus min (the number of values a timeout takes)
   */
  record Options(Scenario scenario, String start, List<String> prefix, int depth,
      long stateCap, Set<Defect> defects, int crashes, int duplicates, int transfers,
      int timeoutSpan, boolean stopAtFirstViolation, boolean iterativeDeepening,
      boolean explicitLoss) {

    static Options of(Scenario scenario, int depth) {
      return new Options(scenario, "cold", List.of(), depth, 6_000_000,
          EnumSet.noneOf(Defect.class), 1, 1, 1, 2, false, false, false);
    }

    /** Election timeouts take {@code span} values (1: every timeout is exactly the minimum). */
    Options withTimeoutSpan(int span) {
      return new Options(scenario, start, prefix, depth, stateCap, defects, crashes, duplicates,
          transfers, span, stopAtFirstViolation, iterativeDeepening, explicitLoss);
    }

    /** Also explore "lose m" as an event (it adds no behaviour: see the class comment). */
    Options withExplicitLoss(boolean loss) {
      return new Options(scenario, start, prefix, depth, stateCap, defects, crashes, duplicates,
          transfers, timeoutSpan, stopAtFirstViolation, iterativeDeepening, loss);
    }

    /** Explores from the state a scripted path reaches (each step names one event, see below). */
    Options from(String name, List<String> steps) {
      return new Options(scenario, name, List.copyOf(steps), depth, stateCap, defects, crashes,
          duplicates, transfers, timeoutSpan, stopAtFirstViolation, iterativeDeepening, explicitLoss);
    }

    /** Hunts for a violation with these defects: iterative deepening, stops at the first. */
    Options withDefects(Set<Defect> d) {
      return new Options(scenario, start, prefix, depth, stateCap, d, crashes, duplicates,
          transfers, timeoutSpan, true, true, explicitLoss);
    }

    Options withDepth(int d) {
      return new Options(scenario, start, prefix, d, stateCap, defects, crashes, duplicates,
          transfers, timeoutSpan, stopAtFirstViolation, iterativeDeepening, explicitLoss);
    }

    Options withCap(long cap) {
      return new Options(scenario, start, prefix, depth, cap, defects, crashes, duplicates,
          transfers, timeoutSpan, stopAtFirstViolation, iterativeDeepening, explicitLoss);
    }

    Options withBudgets(int crashes, int duplicates, int transfers) {
      return new Options(scenario, start, prefix, depth, stateCap, defects, crashes, duplicates,
          transfers, timeoutSpan, stopAtFirstViolation, iterativeDeepening, explicitLoss);
    }
  }

  /** What a run found. */
  record Result(Options options, int depthReached, boolean capped, long distinct,
      long[] perDepth, long transitions, long millis, long cpuMillis, List<String> violations,
      List<String> path) {

    String summary() {
      var sb = new StringBuilder();
      sb.append("explored ").append(distinct).append(" distinct states to depth ")
          .append(depthReached).append(" (").append(options.scenario()).append(" from ")
          .append(options.start());
      if (!options.prefix().isEmpty()) {
        sb.append(" after ").append(options.prefix().size()).append(" scripted events");
      }
      if (!options.defects().isEmpty()) {
        sb.append(", defects ").append(options.defects());
      }
      sb.append(", ").append(transitions).append(" transitions, ").append(millis).append(" ms, ").append(cpuMillis)
          .append(" ms cpu")
          .append(capped ? ", CAPPED at " + options.stateCap() + " states" : "")
          .append(", per depth ").append(Arrays.toString(perDepth)).append("): ")
          .append(violations.size()).append(" violations");
      return sb.toString();
    }

    String report() {
      if (violations.isEmpty()) {
        return summary();
      }
      var sb = new StringBuilder(summary()).append('\n');
      sb.append("violation: ").append(violations.get(0)).append("\npath (")
          .append(path.size()).append(" events):\n");
      for (int i = 0; i < path.size(); i++) {
        sb.append(String.format("  %2d. %s%n", i + 1, path.get(i)));
      }
      return sb.toString();
    }
  }

  // ---- the world --------------------------------------------------------------------------

  record Msg(String to, ElectionMessage m) {}

  /** One node as the shell sees it. {@code state} is null while it is down (or not started). */
  record Node(String name, NodeId id, boolean up, boolean joined, NodeState state,
      HardState durable, long wakeAt, SortedMap<Long, Long> hosting, SortedSet<Long> releases) {}

  record TermKey(long lineage, long term) implements Comparable<TermKey> {
    public int compareTo(TermKey o) {
      int c = Long.compare(lineage, o.lineage);
      return c != 0 ? c : Long.compare(term, o.term);
    }
  }

  record VoteKey(NodeId voter, long lineage, long term) implements Comparable<VoteKey> {
    public int compareTo(VoteKey o) {
      int c = voter.compareTo(o.voter);
      if (c != 0) {
        return c;
      }
      c = Long.compare(lineage, o.lineage);
      return c != 0 ? c : Long.compare(term, o.term);
    }
  }

  static final class World {
    long now;
    Node[] nodes;
    ArrayList<Msg> inflight;
    TreeSet<String> eligible;
    TreeMap<TermKey, NodeId> elected;
    TreeMap<VoteKey, String> votes;
    TreeMap<Long, Long> maxLeaseTerm;
    int crashes;
    int duplicates;
    int transfers;
    int changes;

    World copy() {
      var w = new World();
      w.now = now;
      w.nodes = nodes.clone();
      w.inflight = new ArrayList<>(inflight);
      w.eligible = new TreeSet<>(eligible);
      w.elected = new TreeMap<>(elected);
      w.votes = new TreeMap<>(votes);
      w.maxLeaseTerm = new TreeMap<>(maxLeaseTerm);
      w.crashes = crashes;
      w.duplicates = duplicates;
      w.transfers = transfers;
      w.changes = changes;
      return w;
    }
  }

  enum Kind {
    TICK, DELIVER, DUPLICATE, LOSE, CRASH, RESTART_KEPT, RESTART_LOST, TRANSFER, RELEASE, NOTIFY,
    JOIN, LEAVE, SWAP, ADVANCE, LOSE_ALL
  }

  record Action(Kind kind, int node, int msg, long term) {}

  // ---- setup ------------------------------------------------------------------------------

  private final Options options;
  private final String[] names;
  private final ElectionCore[] cores;
  private final long oldAfter;

  Explorer(Options options) {
    this.options = options;
    boolean four = switch (options.scenario()) {
      case JOIN4, LEAVE4, SWAP4 -> true;
      default -> false;
    };
    this.names = four ? new String[] {"a", "b", "c", "d"} : new String[] {"a", "b", "c"};
    var policy = new ElectionPolicy(3, HAND_OVER, 1);
    this.cores = new ElectionCore[names.length];
    long maxLease = 0;
    for (int i = 0; i < names.length; i++) {
      boolean big = options.scenario() == Scenario.ROLLING3 && i == 0;
      var t = big ? timings(5, 6, options.timeoutSpan()) : timings(3, 4, options.timeoutSpan());
      cores[i] = new ElectionCore(t, policy, options.defects());
      maxLease = Math.max(maxLease, t.leaseNanos() + t.heartbeatIntervalNanos());
    }
    this.oldAfter = maxLease;
  }

  static ElectionTimings timings(long lease, long etMin, int span) {
    return new ElectionTimings(1, etMin, etMin + span, lease, 0.0);
  }

  private static long seed(NodeId id) {
    return id.name().hashCode() * 0x9E3779B97F4A7C15L + id.stateId() * 0xD1B54A32D192ED03L;
  }

  World initial() {
    var w = new World();
    w.now = 0;
    w.inflight = new ArrayList<>();
    w.elected = new TreeMap<>();
    w.votes = new TreeMap<>();
    w.maxLeaseTerm = new TreeMap<>();
    w.crashes = options.crashes();
    w.duplicates = options.duplicates();
    w.transfers = options.transfers();
    w.changes = 1;
    w.nodes = new Node[names.length];
    var scenario = options.scenario();
    int voters = scenario == Scenario.LEAVE4 ? 4 : 3;
    var ids = new TreeSet<NodeId>();
    for (int i = 0; i < names.length; i++) {
      ids.add(new NodeId(names[i], 1));
    }
    var voterIds = new TreeSet<NodeId>();
    for (int i = 0; i < voters; i++) {
      voterIds.add(new NodeId(names[i], 1));
    }
    var config = new VoterConfig(new ConfigId(1, 1), voterIds);
    var hard = new HardState(1, Optional.empty(), config, LINEAGE, 0);
    w.eligible = new TreeSet<>();
    if (scenario == Scenario.BOOTSTRAP3) {
      for (int i = 0; i < names.length; i++) {
        w.nodes[i] = new Node(names[i], new NodeId(names[i], 1), false, false, null,
            HardState.INITIAL, Long.MAX_VALUE, new TreeMap<>(), new TreeSet<>());
      }
      return w;
    }
    for (int i = 0; i < voters; i++) {
      w.eligible.add(names[i]);
    }
    for (int i = 0; i < names.length; i++) {
      var id = new NodeId(names[i], 1);
      if (i >= voters) {
        w.nodes[i] = new Node(names[i], id, false, false, null, HardState.INITIAL, Long.MAX_VALUE,
            new TreeMap<>(), new TreeSet<>());
        continue;
      }
      // Started long enough ago that the restart grace is over: every timeout is due now.
      var started = cores[i].start(id, hard, -100, seed(id));
      var s = cores[i].step(started.state(), new MembershipChanged(-100, w.eligible));
      w.nodes[i] = new Node(names[i], id, true, true, s.state(), hard, s.wakeAt(),
          new TreeMap<>(), new TreeSet<>());
    }
    return w;
  }

  // ---- actions ----------------------------------------------------------------------------

  List<Action> actions(World w) {
    var out = new ArrayList<Action>();
    if (scripting && !w.inflight.isEmpty()) {
      out.add(new Action(Kind.LOSE_ALL, -1, -1, 0));
    }
    boolean timerDue = false;
    for (int i = 0; i < w.nodes.length; i++) {
      Node n = w.nodes[i];
      if (n.up() && n.wakeAt() <= w.now) {
        out.add(new Action(Kind.TICK, i, -1, 0));
        timerDue = true;
      }
    }
    for (int k = 0; k < w.inflight.size(); k++) {
      Msg m = w.inflight.get(k);
      if (w.inflight.subList(0, k).contains(m)) {
        continue; // an identical copy earlier in the list offers the same choices
      }
      int to = index(m.to());
      if (to >= 0 && w.nodes[to].up()) {
        out.add(new Action(Kind.DELIVER, to, k, 0));
        if (w.duplicates > 0) {
          out.add(new Action(Kind.DUPLICATE, to, k, 0));
        }
      }
      if (options.explicitLoss()) {
        out.add(new Action(Kind.LOSE, to, k, 0));
      }
    }
    for (int i = 0; i < w.nodes.length; i++) {
      Node n = w.nodes[i];
      if (n.up()) {
        for (long t : n.releases()) {
          out.add(new Action(Kind.RELEASE, i, -1, t));
        }
        if (!n.state().eligible().equals(w.eligible)) {
          out.add(new Action(Kind.NOTIFY, i, -1, 0));
        }
        if (w.transfers > 0 && n.state().role() instanceof Role.Leader l && !l.handingOver()) {
          out.add(new Action(Kind.TRANSFER, i, -1, 0));
        }
        if (w.crashes > 0) {
          out.add(new Action(Kind.CRASH, i, -1, 0));
        }
      } else if (n.joined()) {
        out.add(new Action(Kind.RESTART_KEPT, i, -1, 0));
        out.add(new Action(Kind.RESTART_LOST, i, -1, 0));
      }
    }
    switch (options.scenario()) {
      case BOOTSTRAP3 -> {
        for (int i = 0; i < w.nodes.length; i++) {
          if (!w.nodes[i].joined()) {
            out.add(new Action(Kind.JOIN, i, -1, 0));
          }
        }
      }
      case JOIN4 -> {
        if (w.changes > 0) {
          out.add(new Action(Kind.JOIN, 3, -1, 0));
        }
      }
      case LEAVE4 -> {
        if (w.changes > 0) {
          for (int i = 0; i < w.nodes.length; i++) {
            out.add(new Action(Kind.LEAVE, i, -1, 0));
          }
        }
      }
      case SWAP4 -> {
        if (w.changes > 0) {
          out.add(new Action(Kind.SWAP, 3, -1, 0));
        }
      }
      default -> { }
    }
    if (!timerDue && nextDeadline(w) != Long.MAX_VALUE) {
      out.add(new Action(Kind.ADVANCE, -1, -1, 0));
    }
    return out;
  }

  private int index(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The next instant after {@code now} at which some deadline falls. */
  long nextDeadline(World w) {
    long best = Long.MAX_VALUE;
    for (Node n : w.nodes) {
      if (!n.up()) {
        continue;
      }
      var s = n.state();
      best = later(best, w.now, n.wakeAt());
      best = later(best, w.now, s.promiseUntil());
      best = later(best, w.now, s.graceUntil());
      best = later(best, w.now, s.electionDeadline());
      if (s.role() instanceof Role.Leader l) {
        best = later(best, w.now, l.heartbeatDueAt());
        if (l.hosting()) {
          best = later(best, w.now, l.leaseDeadline());
        }
        if (l.handingOver()) {
          best = later(best, w.now, l.handOverDeadline());
        }
      }
      for (long until : n.hosting().values()) {
        best = later(best, w.now, until);
      }
    }
    return best;
  }

  private static long later(long best, long now, long t) {
    return t > now && t < best ? t : best;
  }

  /** Applies {@code a} to a copy of {@code w}; invariant violations go to {@code violations}. */
  World apply(World w, Action a, List<String> violations) {
    World n = w.copy();
    int i = a.node();
    switch (a.kind()) {
      case ADVANCE -> {
        n.now = nextDeadline(w);
        for (int k = 0; k < n.nodes.length; k++) {
          n.nodes[k] = purge(n.nodes[k], n.now);
        }
      }
      case TICK -> {
        step(n, i, new Tick(n.now), violations);
        if (n.nodes[i].up() && n.nodes[i].wakeAt() <= n.now) {
          violations.add("T: after a Tick at " + n.now + " node " + names[i] + " asks to be woken at "
              + n.nodes[i].wakeAt());
        }
      }
      case DELIVER -> {
        Msg m = n.inflight.remove(a.msg());
        step(n, i, new Received(n.now, m.m()), violations);
      }
      case DUPLICATE -> {
        n.duplicates--;
        Msg m = n.inflight.get(a.msg());
        step(n, i, new Received(n.now, m.m()), violations);
      }
      case LOSE -> n.inflight.remove(a.msg());
      case LOSE_ALL -> n.inflight.clear();
      case CRASH -> {
        n.crashes--;
        Node old = n.nodes[i];
        n.nodes[i] = new Node(old.name(), old.id(), false, true, null, old.durable(),
            Long.MAX_VALUE, new TreeMap<>(), new TreeSet<>());
      }
      case RESTART_KEPT, RESTART_LOST -> {
        Node old = n.nodes[i];
        boolean lost = a.kind() == Kind.RESTART_LOST;
        var id = lost ? new NodeId(old.name(), old.id().stateId() + 1) : old.id();
        var hard = lost ? HardState.INITIAL : old.durable();
        startNode(n, i, id, hard, violations);
      }
      case TRANSFER -> {
        n.transfers--;
        step(n, i, new TransferLeadership(n.now), violations);
      }
      case RELEASE -> {
        Node old = n.nodes[i];
        var hosting = new TreeMap<>(old.hosting());
        hosting.remove(a.term()); // every instance of that term has stopped
        var releases = new TreeSet<>(old.releases());
        releases.remove(a.term());
        n.nodes[i] = new Node(old.name(), old.id(), old.up(), old.joined(), old.state(),
            old.durable(), old.wakeAt(), hosting, releases);
        step(n, i, new HostingReleased(n.now, a.term()), violations);
      }
      case NOTIFY -> step(n, i, new MembershipChanged(n.now, n.eligible), violations);
      case JOIN -> {
        n.changes--;
        n.eligible.add(names[i]);
        Node old = n.nodes[i];
        startNode(n, i, old.id(), old.durable(), violations);
      }
      case LEAVE -> {
        n.changes--;
        n.eligible.remove(names[i]);
      }
      case SWAP -> {
        n.changes--;
        n.eligible.remove(names[2]);
        n.eligible.add(names[3]);
        Node old = n.nodes[3];
        startNode(n, 3, old.id(), old.durable(), violations);
      }
    }
    pruneVotes(n);
    checkLeases(n, violations);
    return n;
  }

  private void startNode(World w, int i, NodeId id, HardState hard, List<String> violations) {
    Node old = w.nodes[i];
    w.nodes[i] = new Node(old.name(), id, true, true, null, hard, Long.MAX_VALUE, new TreeMap<>(),
        new TreeSet<>());
    var started = cores[i].start(id, hard, w.now, seed(id));
    absorb(w, i, started, violations);
    step(w, i, new MembershipChanged(w.now, w.eligible), violations);
  }

  private static Node purge(Node n, long now) {
    if (n.hosting().isEmpty() || n.hosting().values().stream().allMatch(u -> u > now)) {
      return n;
    }
    var hosting = new TreeMap<Long, Long>();
    n.hosting().forEach((t, u) -> {
      if (u > now) {
        hosting.put(t, u);
      }
    });
    return new Node(n.name(), n.id(), n.up(), n.joined(), n.state(), n.durable(), n.wakeAt(),
        hosting, n.releases());
  }

  private void step(World w, int i, ElectionEvent event, List<String> violations) {
    absorb(w, i, cores[i].step(w.nodes[i].state(), event), violations);
  }

  /** Carries out a step's effects the way the shell does, recording what the invariants need. */
  private void absorb(World w, int i, Step step, List<String> violations) {
    Node old = w.nodes[i];
    var s = step.state();
    HardState durable = old.durable();
    var hosting = new TreeMap<>(old.hosting());
    var releases = new TreeSet<>(old.releases());
    for (ElectionEffect e : step.effects()) {
      if (e instanceof Persist p) {
        durable = p.state();
        if (p.state().votedFor().isPresent()) {
          vote(w, s.self(), p.state().lineage(), p.state().term(),
              p.state().votedFor().get().name(), violations);
        }
      } else if (e instanceof Send send) {
        w.inflight.add(new Msg(send.to(), send.message()));
        if (send.message() instanceof VoteResponse r && r.granted()) {
          vote(w, s.self(), r.lineage(), r.term(), send.to(), violations);
        }
      } else if (e instanceof Elected el) {
        var key = new TermKey(s.lineage(), el.term());
        var before = w.elected.putIfAbsent(key, s.self());
        if (before != null) {
          violations.add("S1: " + s.self() + " elected in term " + el.term() + " of lineage "
              + Long.toHexString(s.lineage()) + ", which " + before + " already won");
        }
      } else if (e instanceof LeaseAcquired la) {
        Long max = w.maxLeaseTerm.get(s.lineage());
        if (max != null && la.term() < max) {
          violations.add("S2: " + s.self() + " acquired a lease in term " + la.term()
              + " after a lease in term " + max + " of the same lineage");
        }
        w.maxLeaseTerm.merge(s.lineage(), la.term(), Math::max);
        hosting.merge(la.term(), la.leaseDeadline(), Math::max);
      } else if (e instanceof LeaseRenewed lr) {
        // Extends a running instance; the manager never starts one on a renewal (a hand-over
        // may renew the lease after the instance was stopped).
        hosting.computeIfPresent(lr.term(), (t, u) -> Math.max(u, lr.leaseDeadline()));
      } else if (e instanceof ReleaseHosting rh) {
        releases.add(rh.term());
      }
    }
    w.nodes[i] = new Node(old.name(), s.self(), true, true, s, durable, step.wakeAt(), hosting,
        releases);
  }

  private static void vote(World w, NodeId voter, long lineage, long term, String candidate,
      List<String> violations) {
    var key = new VoteKey(voter, lineage, term);
    String before = w.votes.putIfAbsent(key, candidate);
    if (before != null && !before.equals(candidate)) {
      violations.add("V: " + voter + " voted for " + before + " and for " + candidate
          + " in term " + term);
    }
  }

  /** A vote can only be contradicted while its voter is still in that term under that identity. */
  private static void pruneVotes(World w) {
    w.votes.keySet().removeIf(k -> {
      for (Node n : w.nodes) {
        if (n.name().equals(k.voter().name())) {
          if (!n.id().equals(k.voter())) {
            return true;
          }
          long term = n.up() ? n.state().term() : n.durable().term();
          return term > k.term();
        }
      }
      return true;
    });
  }

  private static void checkLeases(World w, List<String> violations) {
    int holders = 0;
    int instances = 0;
    var who = new StringBuilder();
    for (Node n : w.nodes) {
      if (n.up() && n.state().holdsLease(w.now)) {
        holders++;
        who.append(' ').append(n.name()).append("(lease of term ").append(n.state().term())
            .append(')');
      }
      for (var e : n.hosting().entrySet()) {
        if (e.getValue() > w.now) {
          instances++;
          who.append(' ').append(n.name()).append("(term ").append(e.getKey()).append(" until ")
              .append(e.getValue()).append(')');
        }
      }
    }
    if (holders > 1) {
      violations.add("S3: " + holders + " nodes hold a lease at " + w.now + ":" + who);
    } else if (instances > 1) {
      violations.add("S3: " + instances + " singleton instances run at " + w.now + ":" + who);
    }
  }

  // ---- canonical hashing ------------------------------------------------------------------

  private static final class Hasher {
    long h1 = 0x243F6A8885A308D3L;
    long h2 = 0x13198A2E03707344L;

    void add(long v) {
      h1 = Long.rotateLeft(h1 ^ (v * 0x9E3779B97F4A7C15L), 29) * 0xBF58476D1CE4E5B9L;
      h2 = Long.rotateLeft(h2 + (v ^ 0x94D049BB133111EBL), 23) * 0xD6E8FEB86659FD93L;
    }

    void add(boolean b) {
      add(b ? 1 : 0);
    }

    void add(String s) {
      add(((long) s.length() << 32) ^ s.hashCode());
    }

    void add(NodeId id) {
      add(id.name());
      add(id.stateId());
    }

    void add(Optional<NodeId> id) {
      if (id.isPresent()) {
        add(1);
        add(id.get());
      } else {
        add(0);
      }
    }

    void add(ConfigId c) {
      add(c.term());
      add(c.index());
    }

    void add(VoterConfig c) {
      add(c.id());
      add(c.voters().size());
      c.voters().forEach(this::add);
    }

    void add(HardState h) {
      add(h.term());
      add(h.votedFor());
      add(h.config());
      add(h.lineage());
      add(h.promiseNanos());
    }

    long value() {
      long z = h1 ^ Long.rotateLeft(h2, 32);
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }
  }

  /** Encodes times relative to {@code now}. */
  private final class Times {
    final long now;
    final TreeSet<Long> old = new TreeSet<>();

    Times(World w) {
      this.now = w.now;
      for (Node n : w.nodes) {
        if (n.up() && n.state().role() instanceof Role.Leader l) {
          base(l.electedAt());
          base(l.lastHeartbeatAt());
          base(l.heartbeatDueAt());
          l.ackedSentAt().values().forEach(this::base);
        }
      }
      for (Msg m : w.inflight) {
        if (m.m() instanceof Heartbeat h) {
          base(h.sentAt());
        } else if (m.m() instanceof HeartbeatAck a) {
          base(a.sentAt());
        }
      }
    }

    private void base(long t) {
      if (t - now <= -oldAfter) {
        old.add(t);
      }
    }

    /** A deadline: any time at or before now is "passed". */
    long deadline(long t) {
      return t == Long.MIN_VALUE ? Long.MIN_VALUE : Math.max(t - now, 0);
    }

    /** A send time: exact while recent, by rank among the old ones otherwise. */
    long sent(long t) {
      long rel = t - now;
      if (rel > -oldAfter) {
        return rel;
      }
      return -oldAfter - old.tailSet(t, false).size() - 1_000_000L;
    }
  }

  long hash(World w) {
    var times = new Times(w);
    var h = new Hasher();
    for (Node n : w.nodes) {
      h.add(n.id());
      h.add(n.up());
      h.add(n.joined());
      h.add(n.durable());
      h.add(n.hosting().size());
      n.hosting().forEach((t, u) -> {
        h.add(t);
        h.add(times.deadline(u));
      });
      h.add(n.releases().size());
      n.releases().forEach(h::add);
      if (n.up()) {
        h.add(times.old.isEmpty() ? cachedState(n.state(), times) : stateHash(n.state(), times));
      }
    }
    h.add(w.eligible.size());
    w.eligible.forEach(h::add);
    h.add(w.crashes);
    h.add(w.duplicates);
    h.add(w.transfers);
    h.add(w.changes);
    h.add(w.elected.size());
    w.elected.forEach((k, v) -> {
      h.add(k.lineage());
      h.add(k.term());
      h.add(v);
    });
    h.add(w.votes.size());
    w.votes.forEach((k, v) -> {
      h.add(k.voter());
      h.add(k.lineage());
      h.add(k.term());
      h.add(v);
    });
    h.add(w.maxLeaseTerm.size());
    w.maxLeaseTerm.forEach((k, v) -> {
      h.add(k);
      h.add(v);
    });
    long[] msgs = new long[w.inflight.size()];
    for (int k = 0; k < msgs.length; k++) {
      var m = w.inflight.get(k);
      msgs[k] = times.old.isEmpty() ? cachedMessage(m, times) : message(m, times);
    }
    Arrays.sort(msgs);
    h.add(msgs.length);
    for (long m : msgs) {
      h.add(m);
    }
    return h.value();
  }

  /** Direct-mapped memo of hashes by object identity and clock (times relative to it). */
  private final Object[] memoKey = new Object[1 << 16];
  private final long[] memoNow = new long[1 << 16];
  private final long[] memoHash = new long[1 << 16];

  private long cachedState(NodeState s, Times t) {
    int i = System.identityHashCode(s) & (memoKey.length - 1);
    if (memoKey[i] == s && memoNow[i] == t.now) {
      return memoHash[i];
    }
    long v = stateHash(s, t);
    memoKey[i] = s;
    memoNow[i] = t.now;
    memoHash[i] = v;
    return v;
  }

  private long cachedMessage(Msg m, Times t) {
    int i = System.identityHashCode(m) & (memoKey.length - 1);
    if (memoKey[i] == m && memoNow[i] == t.now) {
      return memoHash[i];
    }
    long v = message(m, t);
    memoKey[i] = m;
    memoNow[i] = t.now;
    memoHash[i] = v;
    return v;
  }

  private static long stateHash(NodeState s, Times t) {
    var h = new Hasher();
    state(h, s, t);
    return h.value();
  }

  private static void state(Hasher h, NodeState s, Times t) {
    h.add(s.self());
    h.add(s.hard());
    var role = s.role();
    if (role instanceof Role.Follower) {
      h.add(1);
    } else if (role instanceof Role.PreCandidate p) {
      h.add(2);
      h.add(p.grants().size());
      p.grants().forEach(h::add);
      h.add(p.refusals().size());
      p.refusals().forEach(h::add);
    } else if (role instanceof Role.Candidate c) {
      h.add(3);
      h.add(c.grants().size());
      c.grants().forEach(h::add);
      h.add(c.refusals().size());
      c.refusals().forEach(h::add);
    } else if (role instanceof Role.Leader l) {
      h.add(4);
      h.add(t.sent(l.electedAt()));
      h.add(t.sent(l.lastHeartbeatAt()));
      h.add(t.sent(l.heartbeatDueAt()));
      h.add(l.ackedSentAt().size());
      l.ackedSentAt().forEach((k, v) -> {
        h.add(k);
        h.add(t.sent(v));
      });
      h.add(l.ackedConfig().size());
      l.ackedConfig().forEach((k, v) -> {
        h.add(k);
        h.add(v);
      });
      h.add(l.hosting());
      h.add(l.hosting() ? t.deadline(l.leaseDeadline()) : 0);
      h.add(l.handingOver() ? t.deadline(l.handOverDeadline()) : -1);
    }
    h.add(s.leader());
    h.add(t.deadline(s.promiseUntil()));
    h.add(t.deadline(s.graceUntil()));
    h.add(t.deadline(s.electionDeadline()));
    h.add(s.eligible().size());
    s.eligible().forEach(h::add);
    h.add(s.latestIds().size());
    s.latestIds().forEach((k, v) -> {
      h.add(k);
      h.add(v);
    });
    h.add(s.foreign().size());
    s.foreign().forEach((k, v) -> {
      h.add(k);
      h.add(v);
    });
    h.add(s.transferTarget());
    h.add(s.probeRound());
    h.add(s.probeAgreed().size());
    s.probeAgreed().forEach(h::add);
    h.add(s.random());
  }

  private static long message(Msg msg, Times t) {
    var h = new Hasher();
    h.add(msg.to());
    var m = msg.m();
    h.add(m.getClass().getSimpleName());
    h.add(m.term());
    h.add(m.from());
    h.add(m.lineage());
    if (m instanceof PreVoteRequest r) {
      h.add(r.configId());
    } else if (m instanceof PreVoteResponse r) {
      h.add(r.granted());
    } else if (m instanceof VoteRequest r) {
      h.add(r.configId());
      h.add(r.transferFrom());
    } else if (m instanceof VoteResponse r) {
      h.add(r.granted());
    } else if (m instanceof Heartbeat hb) {
      h.add(t.sent(hb.sentAt()));
      h.add(hb.config());
      h.add(hb.leaseNanos());
    } else if (m instanceof HeartbeatAck a) {
      h.add(t.sent(a.sentAt()));
      h.add(a.configId());
      h.add(a.accepted());
    } else if (m instanceof BootstrapProbe p) {
      h.add(p.round());
    } else if (m instanceof BootstrapReply r) {
      h.add(r.hasState());
      h.add(r.founder());
      h.add(r.round());
    }
    return h.value();
  }

  // ---- search -----------------------------------------------------------------------------

  /** Open addressing: 64-bit keys with the smallest depth each was reached at. */
  private static final class Visited {
    long[] keys;
    byte[] depth;
    int size;

    Visited(int capacity) {
      int n = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
      keys = new long[n];
      depth = new byte[n];
    }

    /** Records {@code key} at {@code d}; false if it was already seen at a depth <= d. */
    boolean visit(long key, int d) {
      if (key == 0) {
        key = 1;
      }
      if (size * 2 >= keys.length) {
        grow();
      }
      int mask = keys.length - 1;
      int i = (int) (key ^ (key >>> 32)) & mask;
      while (keys[i] != 0) {
        if (keys[i] == key) {
          if (depth[i] <= d) {
            return false;
          }
          depth[i] = (byte) d;
          return true;
        }
        i = (i + 1) & mask;
      }
      keys[i] = key;
      depth[i] = (byte) d;
      size++;
      return true;
    }

    private void grow() {
      long[] ok = keys;
      byte[] od = depth;
      keys = new long[ok.length * 2];
      depth = new byte[ok.length * 2];
      size = 0;
      for (int i = 0; i < ok.length; i++) {
        if (ok[i] != 0) {
          visit(ok[i], od[i]);
        }
      }
    }

    long[] histogram(int maxDepth) {
      long[] out = new long[maxDepth + 1];
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] != 0) {
          out[depth[i]]++;
        }
      }
      return out;
    }
  }

  private Visited visited;
  private long transitions;
  private boolean capped;
  private final List<String> violations = new ArrayList<>();
  private List<String> violationPath = List.of();
  private final ArrayList<World> pathWorlds = new ArrayList<>();
  private final ArrayList<Action> pathActions = new ArrayList<>();
  private int bound;

  Result run() {
    long start = System.nanoTime();
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuStart = mx.getCurrentThreadCpuTime();
    World init = initial();
    var prefixPath = new ArrayList<String>();
    scripting = true;
    for (String want : options.prefix()) {
      Action chosen = null;
      for (Action a : actions(init)) {
        String d = describe(init, a);
        if (d.substring(d.indexOf(' ') + 1).startsWith(want)) {
          chosen = a;
          break;
        }
      }
      if (chosen == null) {
        throw new IllegalStateException("scripted step '" + want + "' is not possible after "
            + prefixPath + "; possible: " + actions(init).stream().map(a -> describe(w0(), a))
                .toList());
      }
      prefixPath.add(describe(init, chosen) + "   [scripted]");
      var found = new ArrayList<String>();
      init = apply(init, chosen, found);
      if (!found.isEmpty()) {
        throw new IllegalStateException("violation in the scripted prefix: " + found);
      }
      scriptCursor = init;
    }
    this.prefixPath = prefixPath;
    scripting = false;
    int from = options.iterativeDeepening() ? 1 : options.depth();
    int reached = 0;
    long totalTransitions = 0;
    for (int d = from; d <= options.depth(); d++) {
      bound = d;
      visited = new Visited(1 << 16);
      transitions = 0;
      capped = false;
      dfs(init, 0);
      totalTransitions += transitions;
      reached = d;
      if (capped || (!violations.isEmpty() && options.stopAtFirstViolation())) {
        break;
      }
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    long cpu = (mx.getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
    return new Result(options, reached, capped, visited.size, visited.histogram(reached),
        totalTransitions, millis, cpu, List.copyOf(violations), violationPath);
  }

  private boolean stop() {
    return capped || (options.stopAtFirstViolation() && !violations.isEmpty());
  }

  private void dfs(World w, int depth) {
    if (!visited.visit(hash(w), depth)) {
      return;
    }
    if (visited.size >= options.stateCap()) {
      capped = true;
      return;
    }
    if (depth == bound) {
      return;
    }
    for (Action a : actions(w)) {
      var found = new ArrayList<String>();
      World next = apply(w, a, found);
      transitions++;
      pathWorlds.add(w);
      pathActions.add(a);
      if (!found.isEmpty()) {
        if (violations.isEmpty()) {
          violationPath = describePath();
        }
        violations.addAll(found);
      } else {
        dfs(next, depth + 1);
      }
      pathWorlds.remove(pathWorlds.size() - 1);
      pathActions.remove(pathActions.size() - 1);
      if (stop()) {
        return;
      }
    }
  }

  // ---- readable paths ---------------------------------------------------------------------

  private World scriptCursor;
  private boolean scripting;
  private List<String> prefixPath = List.of();

  private World w0() {
    return scriptCursor == null ? initial() : scriptCursor;
  }

  private List<String> describePath() {
    var out = new ArrayList<String>(prefixPath);
    for (int k = 0; k < pathActions.size(); k++) {
      out.add(describe(pathWorlds.get(k), pathActions.get(k)));
    }
    return out;
  }

  String describe(World w, Action a) {
    String at = "t=" + w.now + " ";
    String node = a.node() >= 0 && a.node() < names.length ? names[a.node()] : "?";
    return at + switch (a.kind()) {
      case ADVANCE -> "clock advances to " + nextDeadline(w);
      case TICK -> "tick " + node + " (" + roleOf(w.nodes[a.node()]) + ")";
      case DELIVER -> "deliver to " + node + ": " + show(w.inflight.get(a.msg()).m());
      case DUPLICATE -> "deliver a duplicate to " + node + ": " + show(w.inflight.get(a.msg()).m());
      case LOSE_ALL -> "the network loses every message in flight";
      case LOSE -> "lose " + show(w.inflight.get(a.msg()).m()) + " to "
          + w.inflight.get(a.msg()).to();
      case CRASH -> "crash " + node + " (" + roleOf(w.nodes[a.node()]) + ")";
      case RESTART_KEPT -> "restart " + node + " with its durable state "
          + hardOf(w.nodes[a.node()].durable());
      case RESTART_LOST -> "restart " + node + " with its state lost (new identity)";
      case TRANSFER -> "TransferLeadership at " + node;
      case RELEASE -> "HostingReleased(term " + a.term() + ") at " + node;
      case NOTIFY -> "membership " + w.eligible + " reaches " + node;
      case JOIN -> node + " joins (eligible becomes " + plus(w.eligible, node) + ")";
      case LEAVE -> node + " leaves the eligible set";
      case SWAP -> "c leaves and d joins the eligible set at once";
    };
  }

  private static TreeSet<String> plus(SortedSet<String> s, String x) {
    var out = new TreeSet<>(s);
    out.add(x);
    return out;
  }

  private static String roleOf(Node n) {
    if (!n.up()) {
      return "down";
    }
    var s = n.state();
    return s.role().getClass().getSimpleName().toLowerCase() + " term " + s.term();
  }

  private static String hardOf(HardState h) {
    return "(term " + h.term() + ", voted " + h.votedFor().map(NodeId::name).orElse("-") + ")";
  }

  static String show(ElectionMessage m) {
    String from = m.from().toString();
    String head = m.getClass().getSimpleName() + "(term " + m.term() + " from " + from;
    if (m instanceof PreVoteResponse r) {
      return head + (r.granted() ? ", granted)" : ", refused)");
    } else if (m instanceof VoteResponse r) {
      return head + (r.granted() ? ", granted)" : ", refused)");
    } else if (m instanceof VoteRequest r) {
      return head + r.transferFrom().map(x -> ", transfer from " + x).orElse("") + ")";
    } else if (m instanceof Heartbeat h) {
      return head + ", sent at " + h.sentAt() + ", " + h.config() + ")";
    } else if (m instanceof HeartbeatAck a) {
      return head + ", for heartbeat sent at " + a.sentAt() + (a.accepted() ? "" : ", rejected")
          + ")";
    } else if (m instanceof BootstrapReply r) {
      return head + (r.hasState() ? ", has state" : ", no state") + ", founder " + r.founder()
          + ")";
    }
    return head + ")";
  }
}
