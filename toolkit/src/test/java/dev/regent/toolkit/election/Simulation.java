package dev.regent.toolkit.election;

import dev.regent.toolkit.election.ElectionEffect.Elected;
import dev.regent.toolkit.election.ElectionEffect.LeaseAcquired;
import dev.regent.toolkit.election.ElectionEffect.LeaseRenewed;
import dev.regent.toolkit.election.ElectionEffect.Persist;
import dev.regent.toolkit.election.ElectionEffect.Send;
import dev.regent.toolkit.election.ElectionEffect.SteppedDown;
import dev.regent.toolkit.election.ElectionEvent.MembershipChanged;
import dev.regent.toolkit.election.ElectionEvent.Received;
import dev.regent.toolkit.election.ElectionEvent.Tick;
import dev.regent.toolkit.election.ElectionEvent.TransferLeadership;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongFunction;

/**
 * One seeded run of N election cores over a simulated network and clock. Everything random comes
 * from one {@link SplittableRandom} seeded with the run's seed, and the event queue breaks ties by
 * insertion order, so a seed replays exactly.
 *
 * <p>What it models: message loss, delay, duplication and reordering; symmetric partitions into
 * two or three groups and one-way link failures; crashes (also in the middle of carrying out a
 * step's effects) and restarts with durable state kept or lost; process pauses (the node's clock
 * keeps running, its inbox fills); per-node clock rates within the drift bound and arbitrary clock
 * offsets; cluster membership changes (nodes joining, several at once, and members downed and
 * removed without their say), each delivered to every node after its own gossip delay; leadership
 * transfer requests. Each run ends with a stable period (everything healed, crashed members
 * restarted) in which liveness (L1) is checked; some runs are an L2 scenario instead.
 */
final class Simulation {

  /** What kind of run a seed gets. */
  enum Scenario {
    /** Random faults over a cluster that starts fully configured. */
    CHAOS,
    /** Random faults while the cluster grows from one bootstrapping node. */
    GROWTH,
    /** A quiet cluster; one follower is cut off for a while and returns (L2). */
    RETURNING_NODE,
    /**
     * Two nodes join at once; the moment the leader grows its configuration, the network splits
     * the leader and the joiners from the older voters (the classic membership-change hazard).
     */
    MEMBERSHIP_SPLIT,
    /**
     * Three voters on slow links; nodes crash and come back within milliseconds, over and over,
     * so elections overlap with restarts (what a vote that is not durable would break).
     */
    CRASH_LOOP
  }

  /**
   * Knobs for a run; tests that hunt a specific defect turn some up. {@code timings} null means
   * each schedule picks the defaults or {@link #TIGHT} from its seed. {@code maxEvents} and
   * {@code maxSimulatedNanos} are the schedule's budget: a schedule that has not finished within
   * either fails with a budget violation instead of running forever.
   */
  record Options(
      ElectionTimings timings,
      Set<Defect> defects,
      Scenario forcedScenario,
      double midStepCrashRate,
      boolean trace,
      long maxEvents,
      long maxSimulatedNanos) {

    static Options defaults() {
      return new Options(null, Set.of(), null, 0.0005, false, MAX_EVENTS, MAX_SIMULATED_NANOS);
    }

    Options withDefects(Set<Defect> d) {
      return new Options(timings, d, forcedScenario, midStepCrashRate, trace, maxEvents,
          maxSimulatedNanos);
    }

    Options withScenario(Scenario s) {
      return new Options(timings, defects, s, midStepCrashRate, trace, maxEvents,
          maxSimulatedNanos);
    }

    Options withTimings(ElectionTimings t) {
      return new Options(t, defects, forcedScenario, midStepCrashRate, trace, maxEvents,
          maxSimulatedNanos);
    }

    Options withMidStepCrashRate(double r) {
      return new Options(timings, defects, forcedScenario, r, trace, maxEvents,
          maxSimulatedNanos);
    }

    Options withBudget(long events, long simulatedNanos) {
      return new Options(timings, defects, forcedScenario, midStepCrashRate, trace, events,
          simulatedNanos);
    }

    Options traced() {
      return new Options(timings, defects, forcedScenario, midStepCrashRate, true, maxEvents,
          maxSimulatedNanos);
    }
  }

  /** The outcome of a run. */
  record Result(long seed, Scenario scenario, int nodes, List<String> violations,
                List<String> trace, long simulatedNanos, long events, int elections) {
    boolean ok() {
      return violations.isEmpty();
    }
  }

  private static final long MS = 1_000_000L;

  /**
   * The default event budget of one schedule: about 20 times the most any schedule used when
   * measured (3,493 events, seed 7,411,847, RETURNING_NODE with 7 nodes, over seeds 1..10,000 and
   * 7,404,557..7,414,556; 760 on average). Exceeding it is reported as a violation.
   */
  static final long MAX_EVENTS = 70_000;
  /**
   * The default simulated-time budget of one schedule: 300 s, about 20 times the longest measured
   * schedule (13.99 s) and well beyond the longest a finishing one can take (chaos of at most
   * 10 s, then at most {@link #L1_BOUND} to elect a leader). Exceeding it is reported as a
   * violation.
   */
  static final long MAX_SIMULATED_NANOS = 300_000 * MS;

  /** Valid timings with the lease as long as the safety inequality allows: no slack to hide in. */
  static final ElectionTimings TIGHT = new ElectionTimings(100 * 1_000_000L, 700 * 1_000_000L,
      1_000 * 1_000_000L, 630 * 1_000_000L, 0.1);
  private static final long L1_BOUND = 15_000 * MS;
  private static final int MAX_NODES = 9;

  private final long seed;
  private final Options options;
  private final SplittableRandom rnd;
  private final ElectionCore core;
  private final ElectionTimings timings;
  private final History history = new History();
  private final List<String> trace;
  private final PriorityQueue<Ev> queue = new PriorityQueue<>();
  private final Map<String, SimNode> nodes = new TreeMap<>();
  private final SortedSet<String> membership = new TreeSet<>();

  private final Map<String, Integer> blocked = new TreeMap<>();
  private final Scenario scenario;
  /** Armed by {@link Scenario#MEMBERSHIP_SPLIT}: run when a leader next grows its configuration. */
  private Runnable onLeaderConfigGrowth;
  private long now;
  private long seq;
  private long events;
  private long membershipVersion;
  private int nextNodeNumber = 1;
  private double lossRate;
  private double dupRate;
  private long minDelay = MS;
  private long maxDelay = 5 * MS;
  private long stableAt = Long.MAX_VALUE;
  private boolean finished;

  private record Ev(long at, long seq, Runnable action) implements Comparable<Ev> {
    @Override
    public int compareTo(Ev o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
    }
  }

  /** A simulated node process. */
  private final class SimNode {
    final String name;
    final double clockRate;
    long clockOffset;
    long stateId;
    HardState durable = HardState.INITIAL;
    NodeState state;
    boolean alive;
    boolean removed;
    long pausedUntil = Long.MIN_VALUE;
    int incarnation;
    long wakeToken;
    long membershipSeen = -1;
    final ArrayDeque<LongFunction<ElectionEvent>> inbox = new ArrayDeque<>();

    SimNode(String name) {
      this.name = name;
      double drift = timings.maxClockDrift();
      this.clockRate = switch (rnd.nextInt(3)) {
        case 0 -> 1.0;
        case 1 -> 1.0 + drift;
        default -> 1.0 + drift * rnd.nextDouble();
      };
      this.clockOffset = rnd.nextLong(1L << 40);
      this.stateId = 1;
    }

    NodeId id() {
      return new NodeId(name, stateId);
    }

    long local() {
      return localAt(now);
    }

    long localAt(long real) {
      return Simulation.localAt(clockOffset, clockRate, real);
    }

    long realOf(long local) {
      return Simulation.realOf(clockOffset, clockRate, local);
    }

    boolean paused() {
      return now < pausedUntil;
    }
  }

  /**
   * What a clock with origin {@code offset} running at {@code rate} (at least 1: the simulator's
   * clocks run fast within the drift bound) reads at simulated real time {@code real}; monotonic in
   * {@code real}, advancing at least 1 ns per ns.
   */
  static long localAt(long offset, double rate, long real) {
    return offset + (long) Math.floor(real * rate);
  }

  /**
   * The first real instant at which that clock reads at least {@code local}: the exact inverse of
   * {@link #localAt}, so a local time after the clock's reading at real time {@code now} maps to a
   * real time strictly after {@code now}. The floating-point division alone may round such a time
   * back to {@code now} (a wake-up 1 ns ahead on a drifted clock), which fired the same Tick at the
   * same instant forever (seed 7,442,858); here it is only the first guess, corrected by stepping.
   */
  static long realOf(long offset, double rate, long local) {
    long real = (long) Math.ceil((local - offset) / rate);
    while (localAt(offset, rate, real) < local) {
      real++;
    }
    while (localAt(offset, rate, real - 1) >= local) {
      real--;
    }
    return real;
  }

  private Simulation(long seed, Options options) {
    this.seed = seed;
    this.options = options;
    this.rnd = new SplittableRandom(seed);
    // Half the schedules run at the edge of the lease inequality unless the caller fixed timings.
    boolean tight = rnd.nextBoolean();
    this.timings = options.timings() != null ? options.timings()
        : tight ? TIGHT : ElectionTimings.DEFAULTS;
    this.core = new ElectionCore(timings, options.defects());
    this.trace = options.trace() ? new ArrayList<>() : null;
    Scenario[] all = Scenario.values();
    int pick = rnd.nextInt(100);
    this.scenario = options.forcedScenario() != null ? options.forcedScenario()
        : pick < 55 ? Scenario.CHAOS : pick < 80 ? Scenario.GROWTH
        : pick < 90 ? Scenario.RETURNING_NODE : pick < 95 ? Scenario.MEMBERSHIP_SPLIT
        : Scenario.CRASH_LOOP;
    assert all.length == 5;
  }

  static Result run(long seed, Options options) {
    return new Simulation(seed, options).run();
  }

  static String ms(long nanos) {
    return String.format("%.3fms", nanos / 1e6);
  }

  // ---- the run ---------------------------------------------------------------------------

  private Result run() {
    int size = switch (rnd.nextInt(20)) {
      case 0, 1, 2, 3, 4, 5, 6, 7, 8 -> 3;
      case 9, 10, 11, 12, 13, 14, 15, 16 -> 5;
      default -> 7;
    };
    switch (scenario) {
      case CHAOS -> {
        startConfigured(size);
        long chaosEnd = (4_000 + rnd.nextInt(6_000)) * MS;
        scheduleChaos(chaosEnd);
        at(chaosEnd, this::stabilise);
      }
      case GROWTH -> {
        SimNode first = addNode();
        membershipAdd(List.of(first.name));
        startNode(first);
        // Others join once the founder has written the first configuration (the assumption
        // that makes bootstrapping live: see docs/ELECTION.md, "Bootstrap").
        int joiners = size - 1;
        at(50 * MS, () -> whenFounderConfigured(first, joiners));
        long chaosEnd = (3_000 + rnd.nextInt(6_000)) * MS;
        scheduleChaos(chaosEnd);
        at(chaosEnd, this::stabilise);
      }
      case MEMBERSHIP_SPLIT -> {
        startConfigured(size);
        minDelay = MS;
        maxDelay = 20 * MS;
        at(2_000 * MS, this::joinTwoThenSplit);
      }
      case CRASH_LOOP -> {
        startConfigured(3);
        minDelay = 5 * MS;
        maxDelay = 150 * MS;
        long end = (5_000 + rnd.nextInt(5_000)) * MS;
        for (long t = 500 * MS; t < end; t += (100 + rnd.nextInt(400)) * MS) {
          at(t, this::quickCrash);
        }
        at(end, this::stabilise);
      }
      case RETURNING_NODE -> {
        startConfigured(size);
        minDelay = MS;
        maxDelay = 3 * MS;
        at(3_000 * MS, this::isolateAFollower);
      }
    }
    while (!finished && !queue.isEmpty()) {
      Ev ev = queue.poll();
      now = ev.at();
      if (events >= options.maxEvents() || now > options.maxSimulatedNanos()) {
        history.violation(now, (events >= options.maxEvents()
            ? "event budget exceeded: " + events + " events (budget " + options.maxEvents() + ")"
            : "simulated-time budget exceeded: " + ms(now) + " (budget "
                + ms(options.maxSimulatedNanos()) + ")")
            + " without the schedule finishing (seed " + seed + ", " + scenario
            + "; a livelock in the simulator or the core); " + describeNodes());
        break;
      }
      if (stableAt != Long.MAX_VALUE && now > stableAt + L1_BOUND) {
        history.violation(now, "L1 violated: no leader holding a lease with the voter set matching"
            + " the members " + ms(L1_BOUND) + " after the cluster stabilised at " + ms(stableAt)
            + "; " + describeNodes());
        break;
      }
      events++;
      ev.action().run();
      if (!history.violations().isEmpty()) {
        break;
      }
    }
    return new Result(seed, scenario, size, List.copyOf(history.violations()),
        trace == null ? List.of() : trace, now, events, history.elections());
  }

  private void startConfigured(int size) {
    var ids = new ArrayList<NodeId>();
    var created = new ArrayList<SimNode>();
    for (int i = 0; i < size; i++) {
      SimNode n = addNode();
      created.add(n);
      ids.add(n.id());
    }
    var config = VoterConfig.of(new ConfigId(0, 1), ids);
    var names = new ArrayList<String>();
    for (SimNode n : created) {
      n.durable = new HardState(0, Optional.empty(), config);
      names.add(n.name);
    }
    membershipAdd(names);
    for (SimNode n : created) {
      startNode(n);
    }
  }

  private SimNode addNode() {
    SimNode n = new SimNode("n" + nextNodeNumber++);
    nodes.put(n.name, n);
    return n;
  }

  private void startNode(SimNode n) {
    n.alive = true;
    n.incarnation++;
    n.pausedUntil = Long.MIN_VALUE;
    n.inbox.clear();
    n.membershipSeen = -1;
    n.clockOffset = rnd.nextLong(1L << 40); // a new process has an arbitrary monotonic origin
    log(n, "start with " + n.durable);
    apply(n, core.start(n.id(), n.durable, n.local(), rnd.nextLong()));
    // A (re)started member learns the membership from the cluster shortly after joining.
    long version = membershipVersion;
    var snapshot = new TreeSet<>(membership);
    int inc = n.incarnation;
    at(now + (5 + rnd.nextInt(100)) * MS,
        () -> deliverMembership(n, inc, version, snapshot));
  }

  // ---- driving a node --------------------------------------------------------------------

  private void deliver(SimNode n, int incarnation, LongFunction<ElectionEvent> event) {
    if (!n.alive || n.incarnation != incarnation) {
      return;
    }
    if (n.paused()) {
      n.inbox.add(event);
      return;
    }
    feed(n, event.apply(n.local()));
  }

  private void feed(SimNode n, ElectionEvent e) {
    Step step = core.step(n.state, e);
    if (trace != null && !(e instanceof Tick && step.effects().isEmpty())) {
      log(n, describe(e) + " -> " + describeEffects(step.effects()));
    }
    apply(n, step);
  }

  private void apply(SimNode n, Step step) {
    List<ElectionEffect> effects = step.effects();
    int limit = effects.size();
    boolean crash = !effects.isEmpty() && now < stableAt && scenario != Scenario.RETURNING_NODE
        && rnd.nextDouble() < options.midStepCrashRate();
    if (crash) {
      limit = rnd.nextInt(effects.size());
    }
    for (int i = 0; i < limit; i++) {
      carryOut(n, effects.get(i));
    }
    if (crash) {
      log(n, "crashes after " + limit + " of " + effects.size() + " effects");
      crash(n);
      scheduleRestart(n);
      return;
    }
    n.state = step.state();
    long token = ++n.wakeToken;
    int inc = n.incarnation;
    // A wake-up in the node's future is in the simulation's future: never at this same instant.
    long wakeReal = step.wakeAt() > n.local() ? Math.max(now + 1, n.realOf(step.wakeAt())) : now;
    at(wakeReal, () -> {
      if (n.wakeToken == token) {
        deliver(n, inc, Tick::new);
      }
    });
  }

  private void carryOut(SimNode n, ElectionEffect effect) {
    if (effect instanceof Persist p) {
      n.durable = p.state();
    } else if (effect instanceof Send s) {
      send(n, s.to(), s.message());
    } else if (effect instanceof Elected el) {
      history.elected(now, n.id(), el.term());
    } else if (effect instanceof LeaseAcquired la) {
      history.leaseAcquired(now, n.id(), la.term(), n.realOf(la.leaseDeadline()));
    } else if (effect instanceof LeaseRenewed lr) {
      history.leaseRenewed(n.id(), n.realOf(lr.leaseDeadline()));
    } else if (effect instanceof SteppedDown) {
      history.hostingEnded(now, n.name);
    } else if (effect instanceof ElectionEffect.ConfigChanged c && onLeaderConfigGrowth != null
        && n.state.isLeader() && c.config().voters().size() > n.state.config().voters().size()) {
      Runnable action = onLeaderConfigGrowth;
      onLeaderConfigGrowth = null;
      action.run();
    }
  }

  private void send(SimNode from, String to, ElectionMessage m) {
    if (isBlocked(from.name, to) || rnd.nextDouble() < lossRate) {
      return;
    }
    int copies = rnd.nextDouble() < dupRate ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long delay = minDelay + rnd.nextLong(maxDelay - minDelay + 1);
      at(now + delay, () -> {
        SimNode target = nodes.get(to);
        if (target == null || isBlocked(from.name, to)) {
          return;
        }
        deliver(target, target.incarnation, local -> new Received(local, m));
      });
    }
  }

  private void deliverMembership(SimNode n, int inc, long version, SortedSet<String> snapshot) {
    if (!n.alive || n.incarnation != inc || version <= n.membershipSeen) {
      return;
    }
    n.membershipSeen = version;
    deliver(n, inc, local -> new MembershipChanged(local, snapshot));
  }


  // ---- faults ------------------------------------------------------------------------------

  private void crash(SimNode n) {
    if (!n.alive) {
      return;
    }
    n.alive = false;
    n.incarnation++;
    n.inbox.clear();
    history.hostingEnded(now, n.name);
    log(n, "crashed");
  }

  private void scheduleRestart(SimNode n) {
    int inc = n.incarnation;
    long downFor = scenario == Scenario.CRASH_LOOP ? 5 + rnd.nextInt(100) : 50 + rnd.nextInt(3_000);
    at(now + downFor * MS, () -> restart(n, inc));
  }

  private void quickCrash() {
    if (now >= stableAt) {
      return;
    }
    List<SimNode> alive = aliveMembers();
    if (!alive.isEmpty()) {
      SimNode victim = alive.get(rnd.nextInt(alive.size()));
      crash(victim);
      scheduleRestart(victim);
    }
  }

  private void restart(SimNode n, int inc) {
    if (n.alive || n.removed || n.incarnation != inc) {
      return;
    }
    boolean loseState = now < stableAt && scenario != Scenario.CRASH_LOOP && rnd.nextInt(5) == 0
        && identityLossTolerable(n.name);
    if (loseState) {
      n.stateId++;
      n.durable = HardState.INITIAL;
      log(n, "lost its state; comes back as " + n.id());
    }
    startNode(n);
  }

  private void pause(SimNode n, long duration) {
    if (!n.alive || n.paused()) {
      return;
    }
    n.pausedUntil = now + duration;
    log(n, "paused for " + ms(duration));
    int inc = n.incarnation;
    at(n.pausedUntil, () -> resume(n, inc));
  }

  private void resume(SimNode n, int inc) {
    if (!n.alive || n.incarnation != inc) {
      return;
    }
    n.pausedUntil = Long.MIN_VALUE;
    log(n, "resumed with " + n.inbox.size() + " queued events");
    while (!n.inbox.isEmpty() && n.alive && n.incarnation == inc) {
      feed(n, n.inbox.poll().apply(n.local()));
    }
    if (n.alive && n.incarnation == inc) {
      feed(n, new Tick(n.local()));
    }
  }

  private boolean isBlocked(String from, String to) {
    return blocked.containsKey(from + ">" + to);
  }

  private void block(List<String> pairs, long duration) {
    for (String p : pairs) {
      blocked.merge(p, 1, Integer::sum);
    }
    at(now + duration, () -> {
      for (String p : pairs) {
        blocked.computeIfPresent(p, (k, v) -> v > 1 ? v - 1 : null);
      }
    });
  }

  private void partition(List<List<String>> groups, long duration) {
    var pairs = new ArrayList<String>();
    for (int i = 0; i < groups.size(); i++) {
      for (int j = 0; j < groups.size(); j++) {
        if (i != j) {
          for (String a : groups.get(i)) {
            for (String b : groups.get(j)) {
              pairs.add(a + ">" + b);
            }
          }
        }
      }
    }
    trace("partition " + groups + " for " + ms(duration));
    block(pairs, duration);
  }

  private void scheduleChaos(long until) {
    long t = 200 * MS;
    while (true) {
      t += (150 + rnd.nextInt(1_200)) * MS;
      if (t >= until) {
        return;
      }
      at(t, this::randomFault);
    }
  }

  private void randomFault() {
    if (now >= stableAt) {
      return;
    }
    List<SimNode> alive = aliveMembers();
    if (alive.isEmpty()) {
      return;
    }
    SimNode victim = rnd.nextInt(2) == 0 ? leaderOr(alive) : alive.get(rnd.nextInt(alive.size()));
    switch (rnd.nextInt(11)) {
      case 0, 1 -> {
        crash(victim);
        scheduleRestart(victim);
      }
      case 2 -> pause(victim, (100 + rnd.nextInt(2_500)) * MS);
      case 3, 4 -> partition(randomGroups(), (300 + rnd.nextInt(3_500)) * MS);
      case 5 -> partition(List.of(List.of(victim.name), others(victim.name)),
          (300 + rnd.nextInt(3_000)) * MS);
      case 6 -> {
        SimNode other = alive.get(rnd.nextInt(alive.size()));
        if (other != victim) {
          trace("link " + victim.name + " -> " + other.name + " fails");
          block(List.of(victim.name + ">" + other.name), (300 + rnd.nextInt(3_000)) * MS);
        }
      }
      case 7 -> changeNetwork();
      case 8 -> {
        if (victim.state != null && victim.state.isLeader()) {
          deliver(victim, victim.incarnation, TransferLeadership::new);
        }
      }
      case 9 -> joinSome();
      default -> downOne();
    }
  }

  private void changeNetwork() {
    lossRate = new double[] {0, 0, 0.01, 0.05, 0.2}[rnd.nextInt(5)];
    dupRate = new double[] {0, 0.02, 0.1}[rnd.nextInt(3)];
    switch (rnd.nextInt(4)) {
      case 0 -> {
        minDelay = MS;
        maxDelay = 5 * MS;
      }
      case 1 -> {
        minDelay = MS;
        maxDelay = 50 * MS;
      }
      case 2 -> {
        minDelay = 5 * MS;
        maxDelay = 200 * MS;
      }
      default -> {
        minDelay = 50 * MS;
        maxDelay = 400 * MS;
      }
    }
    trace("network: loss " + lossRate + " dup " + dupRate + " delay " + ms(minDelay) + ".."
        + ms(maxDelay));
  }

  private void whenFounderConfigured(SimNode founder, int joiners) {
    if (founder.durable.config().isEmpty()) {
      at(now + 50 * MS, () -> whenFounderConfigured(founder, joiners));
      return;
    }
    for (int i = 0; i < joiners; i++) {
      at(now + (rnd.nextInt(2_000)) * MS, this::joinSome);
    }
  }

  /** New members join; Pekko can move several to Up in one step. */
  private void joinSome() {
    if (now >= stableAt) {
      return;
    }
    int count = rnd.nextInt(4) == 0 ? 2 : 1;
    var names = new ArrayList<String>();
    for (int i = 0; i < count && nodes.size() < MAX_NODES; i++) {
      SimNode n = addNode();
      names.add(n.name);
      startNode(n);
    }
    if (!names.isEmpty()) {
      membershipAdd(names);
    }
  }

  /**
   * Downs one member (a crashed or cut-off one when there is one): it is removed from the
   * membership without its say and its process ends. Only done while a majority of every
   * configuration any node holds keeps its identity, otherwise no quorum could ever form again and
   * liveness could not be checked.
   */
  private void downOne() {
    var candidates = new ArrayList<SimNode>();
    for (SimNode n : nodes.values()) {
      if (!n.removed && membership.contains(n.name)) {
        candidates.add(n);
      }
    }
    if (candidates.size() <= 1) {
      return;
    }
    SimNode victim = candidates.get(rnd.nextInt(candidates.size()));
    for (SimNode n : candidates) {
      if (!n.alive) {
        victim = n;
        break;
      }
    }
    if (!identityLossTolerable(victim.name)) {
      return;
    }
    crash(victim);
    victim.removed = true;
    membership.remove(victim.name);
    membershipVersion++;
    trace("membership: " + victim.name + " downed and removed -> " + membership);
    gossipMembership();
  }

  private void membershipAdd(List<String> names) {
    membership.addAll(names);
    membershipVersion++;
    trace("membership: " + names + " up -> " + membership);
    gossipMembership();
  }

  private void gossipMembership() {
    long version = membershipVersion;
    var snapshot = new TreeSet<>(membership);
    for (SimNode n : nodes.values()) {
      if (n.alive) {
        int inc = n.incarnation;
        at(now + (10 + rnd.nextInt(400)) * MS,
            () -> deliverMembership(n, inc, version, snapshot));
      }
    }
  }

  /**
   * Whether the node called {@code name} may lose its current identity (state loss or removal)
   * and every configuration held by any node still has a majority of voters that exist. Losing a
   * majority of voters' identities loses the quorum for good (as in Raft); the simulator does not
   * do that, since liveness could not be checked afterwards.
   */
  private boolean identityLossTolerable(String name) {
    var existing = new TreeSet<NodeId>();
    for (SimNode n : nodes.values()) {
      if (!n.removed && !n.name.equals(name)) {
        existing.add(n.id());
      }
    }
    // Judge every configuration as if the victim had just been added too: a leader may be adding
    // it at this very moment, since it learns of the downing only through gossip.
    NodeId victim = nodes.get(name).id();
    for (SimNode n : nodes.values()) {
      for (VoterConfig c : configsOf(n)) {
        var withVictim = new TreeSet<>(c.voters());
        withVictim.add(victim);
        if (!c.isEmpty() && !VoterConfig.of(c.id(), withVictim).isQuorum(existing)) {
          return false;
        }
      }
    }
    return true;
  }

  private List<VoterConfig> configsOf(SimNode n) {
    var out = new ArrayList<VoterConfig>();
    out.add(n.durable.config());
    if (n.alive && n.state != null) {
      out.add(n.state.config());
    }
    return out;
  }

  // ---- liveness ----------------------------------------------------------------------------

  /** End of the chaos: heal everything, restart crashed members, then expect a leader (L1). */
  private void stabilise() {
    stableAt = now;
    blocked.clear();
    lossRate = 0;
    dupRate = 0;
    minDelay = MS;
    maxDelay = 5 * MS;
    trace("stabilise: healed, restarting crashed members");
    for (SimNode n : nodes.values()) {
      if (n.removed) {
        continue;
      }
      if (!n.alive) {
        startNode(n);
      } else if (n.paused()) {
        n.pausedUntil = now;
        int inc = n.incarnation;
        at(now, () -> resume(n, inc));
      }
    }
    at(now + 100 * MS, this::probeLiveness);
  }

  private void probeLiveness() {
    if (stableConvergedLeader() != null) {
      trace("L1 satisfied " + ms(now - stableAt) + " after stabilising");
      finished = true;
      return;
    }
    at(now + 50 * MS, this::probeLiveness);
  }

  /** A node holding a lease whose configuration is exactly the current members, if any. */
  private SimNode stableConvergedLeader() {
    var expected = new TreeSet<NodeId>();
    for (SimNode n : nodes.values()) {
      if (!n.removed && membership.contains(n.name)) {
        expected.add(n.id());
      }
    }
    for (SimNode n : nodes.values()) {
      if (n.alive && !n.paused() && n.state != null && n.state.holdsLease(n.local())
          && n.state.config().voters().equals(expected)) {
        return n;
      }
    }
    return null;
  }

  // ---- membership-split scenario ---------------------------------------------------------

  private void joinTwoThenSplit() {
    SimNode leader = stableConvergedLeader();
    if (leader == null) {
      at(now + 100 * MS, this::joinTwoThenSplit);
      return;
    }
    var old = new ArrayList<>(membership);
    var joiners = new ArrayList<String>();
    for (int i = 0; i < 2; i++) {
      SimNode n = addNode();
      joiners.add(n.name);
      startNode(n);
    }
    membershipAdd(joiners);
    onLeaderConfigGrowth = () -> {
      SimNode current = leaderOr(aliveMembers());
      var side = new ArrayList<String>(joiners);
      side.add(current.name);
      var rest = new ArrayList<String>(old);
      rest.remove(current.name);
      partition(List.of(side, rest), (1_000 + rnd.nextInt(3_000)) * MS);
    };
    at(now + 6_000 * MS, this::stabilise);
  }

  // ---- L2 scenario -------------------------------------------------------------------------

  private void isolateAFollower() {
    SimNode leader = stableConvergedLeader();
    if (leader == null) {
      at(now + 100 * MS, this::isolateAFollower);
      return;
    }
    var followers = new ArrayList<String>();
    for (String name : membership) {
      if (!name.equals(leader.name)) {
        followers.add(name);
      }
    }
    String cut = followers.get(rnd.nextInt(followers.size()));
    long duration = (3_000 + rnd.nextInt(5_000)) * MS;
    partition(List.of(List.of(cut), others(cut)), duration);
    NodeId leaderId = leader.id();
    long term = leader.state.term();
    at(now + duration + 1, () -> watchLeader(leaderId, term, now + 3_000 * MS));
  }

  private void watchLeader(NodeId leaderId, long term, long until) {
    SimNode n = nodes.get(leaderId.name());
    boolean stillLeader = n.alive && n.state.isLeader() && n.state.term() == term
        && n.state.holdsLease(n.local());
    if (!stillLeader) {
      history.violation(now, "L2 violated: " + leaderId + " was a healthy leader of term " + term
          + " but lost leadership after a cut-off node returned; " + describeNodes());
      return;
    }
    if (now >= until) {
      finished = true;
      return;
    }
    at(now + 20 * MS, () -> watchLeader(leaderId, term, until));
  }

  // ---- helpers ---------------------------------------------------------------------------

  private List<SimNode> aliveMembers() {
    var out = new ArrayList<SimNode>();
    for (SimNode n : nodes.values()) {
      if (n.alive && !n.removed) {
        out.add(n);
      }
    }
    return out;
  }

  private SimNode leaderOr(List<SimNode> alive) {
    for (SimNode n : alive) {
      if (n.state != null && n.state.isLeader()) {
        return n;
      }
    }
    return alive.get(rnd.nextInt(alive.size()));
  }

  private List<String> others(String name) {
    var out = new ArrayList<String>();
    for (String m : nodes.keySet()) {
      if (!m.equals(name)) {
        out.add(m);
      }
    }
    return out;
  }

  private List<List<String>> randomGroups() {
    int groups = 2 + rnd.nextInt(2);
    var out = new ArrayList<List<String>>();
    for (int i = 0; i < groups; i++) {
      out.add(new ArrayList<>());
    }
    var names = new ArrayList<>(nodes.keySet());
    Collections.sort(names);
    for (String name : names) {
      out.get(rnd.nextInt(groups)).add(name);
    }
    out.removeIf(List::isEmpty);
    return out;
  }

  private void at(long time, Runnable action) {
    queue.add(new Ev(time, seq++, action));
  }

  private String describeNodes() {
    var sb = new StringBuilder();
    for (SimNode n : nodes.values()) {
      sb.append(n.id()).append(n.alive ? "" : "(down)").append(n.removed ? "(removed)" : "");
      if (n.alive && n.state != null) {
        sb.append(' ').append(n.state.role().getClass().getSimpleName())
            .append(" t").append(n.state.term()).append(' ').append(n.state.config());
      }
      sb.append("; ");
    }
    return sb.toString();
  }

  private static String describe(ElectionEvent e) {
    if (e instanceof Received r) {
      return "recv " + describe(r.message());
    }
    if (e instanceof MembershipChanged m) {
      return "membership " + m.eligible();
    }
    return e.getClass().getSimpleName();
  }

  private static String describe(ElectionMessage m) {
    String name = m.getClass().getSimpleName();
    String extra = "";
    if (m instanceof ElectionMessage.Heartbeat h) {
      extra = " " + h.config().id();
    } else if (m instanceof ElectionMessage.HeartbeatAck a) {
      extra = a.accepted() ? " ok " + a.configId() : " rejected";
    } else if (m instanceof ElectionMessage.PreVoteResponse r) {
      extra = r.granted() ? " granted" : " refused";
    } else if (m instanceof ElectionMessage.VoteResponse r) {
      extra = r.granted() ? " granted" : " refused";
    } else if (m instanceof ElectionMessage.VoteRequest r && r.transferFrom().isPresent()) {
      extra = " transfer from " + r.transferFrom().get();
    }
    return name + "(t" + m.term() + " " + m.from() + extra + ")";
  }

  private static String describeEffects(List<ElectionEffect> effects) {
    var parts = new ArrayList<String>();
    var sends = new TreeMap<String, List<String>>();
    for (ElectionEffect e : effects) {
      if (e instanceof Send s) {
        sends.computeIfAbsent(s.message().getClass().getSimpleName(), k -> new ArrayList<>())
            .add(s.to());
      } else if (e instanceof Persist p) {
        parts.add("persist(t" + p.state().term() + " vote " + p.state().votedFor()
            .map(NodeId::toString).orElse("-") + " " + p.state().config().id() + ")");
      } else {
        parts.add(e.toString());
      }
    }
    sends.forEach((type, to) -> parts.add("send " + type + " to " + to));
    return parts.toString();
  }

  private void log(SimNode n, String text) {
    if (trace != null) {
      trace.add(String.format("%12s %-4s %s", ms(now), n.name, text));
    }
  }

  private void trace(String text) {
    if (trace != null) {
      trace.add(String.format("%12s %-4s %s", ms(now), "--", text));
    }
  }
}
