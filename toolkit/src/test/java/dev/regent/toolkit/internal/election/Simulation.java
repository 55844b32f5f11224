package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.internal.election.ElectionEffect.BootstrapStatus;
import dev.regent.toolkit.internal.election.ElectionEffect.ConfigChanged;
import dev.regent.toolkit.internal.election.ElectionEffect.Elected;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaderKnown;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaderLost;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaseAcquired;
import dev.regent.toolkit.internal.election.ElectionEffect.LeaseRenewed;
import dev.regent.toolkit.internal.election.ElectionEffect.Persist;
import dev.regent.toolkit.internal.election.ElectionEffect.Rejected;
import dev.regent.toolkit.internal.election.ElectionEffect.ReleaseHosting;
import dev.regent.toolkit.internal.election.ElectionEffect.Send;
import dev.regent.toolkit.internal.election.ElectionEffect.SteppedDown;
import dev.regent.toolkit.internal.election.ElectionEvent.HostingReleased;
import dev.regent.toolkit.internal.election.ElectionEvent.MembershipChanged;
import dev.regent.toolkit.internal.election.ElectionEvent.Received;
import dev.regent.toolkit.internal.election.ElectionEvent.Tick;
import dev.regent.toolkit.internal.election.ElectionEvent.TransferLeadership;
import dev.regent.toolkit.internal.hosting.HostingDecision;
import dev.regent.toolkit.internal.hosting.HostingRule;
import dev.regent.toolkit.internal.hosting.HostingState;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
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
 * One seeded run of N election cores over a simulated network, clock, disk and singleton manager.
 * Everything random comes from one {@link SplittableRandom} seeded with the run's seed, and the
 * event queue breaks ties by insertion order, so a seed replays exactly.
 *
 * <p>What it models: message loss, delay (global or per directed link), duplication and
 * reordering; partitions and one-way link failures; process crashes (also in the middle of
 * carrying out a step's effects) and restarts with durable state kept or lost; in-process restarts
 * of the election actor (the singleton and its manager live on; the core starts again from the
 * same durable state; the messages of the gap are lost); process pauses; per-node clock rates
 * within the drift bound that may change over time, and arbitrary clock origins; per-node
 * timings and bootstrap settings; Pekko membership per cluster (joins, downing, leaving while
 * alive, a full outage after which the cluster forms again, two separate clusters that merge);
 * failing fsyncs; hostile messages; the singleton manager (its hosting rule, run as is, with
 * suspension latencies, stop latencies and its hard stop) and a fenced resource the instances
 * write to.
 *
 * <p>Each run ends with a stable period (everything healed, crashed members restarted) in which
 * liveness (L1) is checked where the scenario allows a leader at all; some runs are an L2 scenario.
 *
 * <p>Not modelled, and why:
 * <ul>
 *   <li>Non-cooperative singletons (a handler that blocks past the hard stop, a PostStop longer
 *       than the stop budget): an instance here always terminates by its hard stop. That is the
 *       cooperative-stop assumption of the contract (issue 13, scenario 7); breaking it breaks S3
 *       by definition, and only S4 (the fenced resource) still protects.
 *   <li>The shell's code itself: {@link Manager} runs the singleton manager's own decisions (the
 *       toolkit's {@code HostingRule}: start, suspend, resume, stop, hard-stop time) but models
 *       its actor plumbing (spawning, the suspension gate, Pekko timers: exact here, no scheduler
 *       tick), and the election actor's restart, stash and membership filter are modelled, not
 *       run. Mailbox delays
 *       between the election and the manager are zero (the worst case for overlap is covered by
 *       the stop latency).
 *   <li>Pekko's membership protocol (gossip convergence, upNumber, the split-brain resolver's
 *       decisions): membership is one truth per cluster, delivered to each node after its own
 *       delay; a node with state never forms an island by itself here (issue 13, scenario 9 is a
 *       shell/operations rule).
 *   <li>The wire: hostile messages are well-formed records from member names; malformed ones are
 *       only shown to be refused by the records' own validation (Jackson payloads: the fuzzer).
 *   <li>The real {@code FencingGuard}: the resource is a model pinned to the first lineage that
 *       writes (the guard with lineages is being built separately); no deliberate move to a new
 *       lineage.
 *   <li>Disks: a failed fsync (or ENOSPC) means the write did not happen; torn or partial writes
 *       and a directory fsync that fails differently are not modelled. Wall clocks: only
 *       monotonic clocks (state ids are drawn, sometimes smaller than before).
 * </ul>
 */
final class Simulation {

  /** What kind of run a seed gets. */
  enum Scenario {
    /** Random faults over a cluster that starts fully configured. */
    CHAOS,
    /** Nodes start without state, with a bootstrap-expect from the seed: the core decides. */
    GROWTH,
    /** A quiet cluster; one follower is cut off for a while and returns (L2). */
    RETURNING_NODE,
    /** Two nodes join; when the leader grows its configuration, the network splits. */
    MEMBERSHIP_SPLIT,
    /** Three voters on slow links; nodes crash and come back within milliseconds. */
    CRASH_LOOP,
    /** All nodes down; the cluster forms again with new nodes first; state lost on some. */
    FULL_OUTAGE,
    /** A rolling change of timings: each node its own core with its own timings. */
    ROLLING_TIMINGS,
    /** Leaders leave, or are downed, while their process still runs. */
    LEAVE_ALIVE,
    /** In-process restarts of the election actor after an exception. */
    ACTOR_RESTART,
    /** A disk goes bad: fsync fails (the node must crash before any later effect). */
    DISK_FAULTS,
    /** Messages with huge terms and foreign lineage ids, and malformed ones, are injected. */
    HOSTILE_INPUT,
    /** Each directed link has its own delay distribution. */
    ASYMMETRIC_LINKS,
    /** Clock rates change over time within the drift bound. */
    DRIFTING_CLOCKS,
    /** Two lineages bootstrapped separately: they meet, or share one fenced resource. */
    TWO_CLUSTERS
  }

  /** Defects planted in the simulated shell (the core's are {@link Defect}). */
  enum ShellDefect {
    /** A failed fsync is ignored: the node goes on as if the state were durable. */
    SWALLOWED_FSYNC
  }

  /**
   * Knobs for a run. {@code timings} null means each schedule picks the defaults or {@link #TIGHT}
   * from its seed. {@code maxEvents} and {@code maxSimulatedNanos} are the schedule's budget.
   * {@code record} writes a golden trace ({@link GoldenTrace}) of the cores' inputs and outputs.
   */
  record Options(
      ElectionTimings timings,
      Set<Defect> defects,
      Set<ShellDefect> shellDefects,
      Scenario forcedScenario,
      double midStepCrashRate,
      boolean trace,
      long maxEvents,
      long maxSimulatedNanos,
      boolean record) {

    static Options defaults() {
      return new Options(null, Set.of(), Set.of(), null, 0.0005, false, MAX_EVENTS,
          MAX_SIMULATED_NANOS, false);
    }

    Options withDefects(Set<Defect> d) {
      return new Options(timings, d, shellDefects, forcedScenario, midStepCrashRate, trace,
          maxEvents, maxSimulatedNanos, record);
    }

    Options withShellDefects(Set<ShellDefect> d) {
      return new Options(timings, defects, d, forcedScenario, midStepCrashRate, trace,
          maxEvents, maxSimulatedNanos, record);
    }

    Options withScenario(Scenario s) {
      return new Options(timings, defects, shellDefects, s, midStepCrashRate, trace, maxEvents,
          maxSimulatedNanos, record);
    }

    Options withTimings(ElectionTimings t) {
      return new Options(t, defects, shellDefects, forcedScenario, midStepCrashRate, trace,
          maxEvents, maxSimulatedNanos, record);
    }

    Options withMidStepCrashRate(double r) {
      return new Options(timings, defects, shellDefects, forcedScenario, r, trace, maxEvents,
          maxSimulatedNanos, record);
    }

    Options withBudget(long events, long simulatedNanos) {
      return new Options(timings, defects, shellDefects, forcedScenario, midStepCrashRate, trace,
          events, simulatedNanos, record);
    }

    Options traced() {
      return new Options(timings, defects, shellDefects, forcedScenario, midStepCrashRate, true,
          maxEvents, maxSimulatedNanos, record);
    }

    Options recorded() {
      return new Options(timings, defects, shellDefects, forcedScenario, midStepCrashRate, trace,
          maxEvents, maxSimulatedNanos, true);
    }
  }

  /** The outcome of a run. */
  record Result(long seed, Scenario scenario, int nodes, List<String> violations,
                List<String> trace, long simulatedNanos, long events, int elections,
                Map<String, Long> counters, List<String> golden) {
    boolean ok() {
      return violations.isEmpty();
    }
  }

  private static final long MS = 1_000_000L;

  /**
   * The default event budget of one schedule: about 20 times the most any schedule used when
   * measured (3,493 events before the scenarios of issue 14). Exceeding it is a violation.
   */
  static final long MAX_EVENTS = 70_000;
  /** The default simulated-time budget of one schedule: 300 s. Exceeding it is a violation. */
  static final long MAX_SIMULATED_NANOS = 300_000 * MS;

  /** Valid timings with the lease as long as the safety inequality allows: no slack to hide in. */
  static final ElectionTimings TIGHT = new ElectionTimings(100 * 1_000_000L, 700 * 1_000_000L,
      1_000 * 1_000_000L, 630 * 1_000_000L, 0.1);
  /** The "new" timings of a rolling change: faster elections, a shorter lease. */
  static final ElectionTimings FAST = new ElectionTimings(50 * MS, 300 * MS, 450 * MS,
      200 * MS, 0.1);
  private static final long L1_BOUND = 15_000 * MS;
  private static final int MAX_NODES = 9;

  private final long seed;
  private final Options options;
  private final SplittableRandom rnd;
  private final ElectionTimings timings;
  private final ElectionPolicy basePolicy;
  private final History history = new History();
  private final List<String> trace;
  private final List<String> golden;
  private final PriorityQueue<Ev> queue = new PriorityQueue<>();
  private final Map<String, SimNode> nodes = new TreeMap<>();
  /** Pekko membership: member name to the (Pekko) cluster it is Up in. */
  private final Map<String, Integer> membership = new TreeMap<>();
  private final Map<String, Long> counters = new TreeMap<>();

  private final Map<String, Integer> blocked = new TreeMap<>();
  /** ASYMMETRIC_LINKS: per directed link "a>b", min and max delay. */
  private final Map<String, long[]> linkDelay = new TreeMap<>();
  private final Scenario scenario;
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
  private boolean checkL1 = true;
  private double diskFailRate;
  private int bootstrapExpect = 1;

  private record Ev(long at, long seq, Runnable action) implements Comparable<Ev> {
    @Override
    public int compareTo(Ev o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
    }
  }

  /** A timer in a node's local clock: rescheduled when the clock's rate changes. */
  private static final class LocalTimer {
    final long local;
    final Runnable action;
    int version;
    boolean done;

    LocalTimer(long local, Runnable action) {
      this.local = local;
      this.action = action;
    }
  }

  /** A simulated node process. */
  private final class SimNode {
    final String name;
    int cluster;
    ElectionCore core;
    long stateId = 1;
    HardState durable = HardState.INITIAL;
    NodeState state;
    boolean alive;
    boolean removed;
    /** Between an exception in the election actor and its restart. */
    boolean actorDown;
    /** The disk fails every fsync from now on (DISK_FAULTS), until the node crashes. */
    boolean diskBad;
    long pausedUntil = Long.MIN_VALUE;
    /** The election actor's incarnation: events addressed to an older one are lost. */
    int incarnation;
    /** The process's incarnation (a crash ends it; an actor restart does not). */
    int process;
    long wakeToken;
    long membershipSeen = -1;
    final ArrayDeque<LongFunction<ElectionEvent>> inbox = new ArrayDeque<>();
    final List<LocalTimer> timers = new ArrayList<>();
    final Set<Long> usedStateIds = new java.util.HashSet<>();
    double clockRate;
    long baseReal;
    long baseLocal;
    final Manager manager = new Manager(this);

    SimNode(String name) {
      this.name = name;
      this.clockRate = drawRate();
      this.baseLocal = rnd.nextLong(1L << 40);
    }

    double drawRate() {
      double drift = timings.maxClockDrift();
      return switch (rnd.nextInt(3)) {
        case 0 -> 1.0;
        case 1 -> 1.0 + drift;
        default -> 1.0 + drift * rnd.nextDouble();
      };
    }

    NodeId id() {
      return new NodeId(name, stateId);
    }

    long local() {
      return localAt(now);
    }

    long localAt(long real) {
      return Simulation.localAt(baseLocal, clockRate, real - baseReal);
    }

    long realOf(long local) {
      if (local <= local()) {
        return now;
      }
      return baseReal + Simulation.realOf(baseLocal, clockRate, local);
    }

    boolean paused() {
      return now < pausedUntil;
    }

    ElectionTimings timings() {
      return core.timings();
    }
  }

  /**
   * The singleton manager of one node. Every decision is the toolkit's {@link HostingRule}, the
   * code {@code SingletonManager} runs (with exact timers: no scheduler tick): the instance of term
   * T runs iff the node leads T, T was not handed over and the node is not shutting down; it is
   * suspended (not active) when its lease is down to the stop budget, resumed by a renewal in T,
   * and stopped when the node no longer leads T or the suspension lasted {@code max-suspension}.
   * What is modelled here is only the shell's timing: a suspension takes effect once the handler
   * that is running returns (a latency within stop-timeout: the cooperative assumption); an active
   * instance's stop takes a stop latency drawn from the seed, cut short by the rule's hard stop; a
   * suspended instance is stopped as soon as it is quiescent. It also answers the election's
   * {@link ReleaseHosting} with {@link HostingReleased} once no instance of the term runs. It lives
   * in the process: an election actor restart does not end it.
   */
  private final class Manager {
    final SimNode node;
    HostingState state = HostingState.INITIAL;
    long leaderLineage;
    History.Instance instance;
    long releaseTerm = -1;
    long checkToken;

    Manager(SimNode node) {
      this.node = node;
    }

    long stopTimeout() {
      return Math.min(200 * MS, node.timings().leaseNanos() * 2 / 5);
    }

    long leaseMargin() {
      return Math.min(50 * MS, node.timings().leaseNanos() / 10);
    }

    /** The node's rule: its timings may differ from other nodes' (ROLLING_TIMINGS). */
    HostingRule rule() {
      return new HostingRule(stopTimeout(), leaseMargin(), 0, 4 * node.timings().leaseNanos());
    }

    void onLeaseAcquired(long term, long deadline, long lineage) {
      state = state.leaseAcquired(term, deadline);
      leaderLineage = lineage;
      reconcile();
    }

    void onLeaseRenewed(long term, long deadline) {
      state = state.leaseRenewed(term, deadline);
      reconcile();
    }

    void onNotLeader() {
      state = state.notLeader();
      reconcile();
    }

    void onRelease(long term) {
      state = state.handingOver(term);
      releaseTerm = term;
      reconcile();
      if (instance == null) {
        answerRelease();
      }
    }

    void answerRelease() {
      if (releaseTerm < 0) {
        return;
      }
      long term = releaseTerm;
      releaseTerm = -1;
      int inc = node.incarnation;
      at(now + rnd.nextLong(2 * MS), () -> deliver(node, inc, l -> new HostingReleased(l, term)));
    }

    void reconcile() {
      HostingDecision d = rule().decide(state, node.local());
      state = d.next();
      switch (d.action()) {
        case START -> {
          instance = history.instanceStarted(now, node.id(), leaderLineage, d.term(),
              node.realOf(state.instanceLeaseDeadline()));
          log(node, "singleton of term " + d.term() + " starts");
          scheduleWrite(instance);
        }
        case SUSPEND -> {
          // Quiescent once the handler that is running (if any) returns, within stop-timeout.
          long quietAt = now + (rnd.nextInt(10) < 7 ? 0 : rnd.nextLong(stopTimeout()));
          history.instanceSuspended(instance, quietAt);
          count("hosting.suspended");
          log(node, "singleton of term " + d.term() + " suspended, quiescent in "
              + ms(quietAt - now));
        }
        case RESUME -> {
          history.instanceResumed(now, instance);
          count("hosting.resumed");
          log(node, "singleton of term " + d.term() + " resumes");
        }
        case BEGIN_STOP -> beginStop(d);
        case NOTHING -> { }
        default -> throw new IllegalStateException("unknown action " + d.action());
      }
      if (instance != null && state.instanceLive()) {
        history.leaseEnds(instance, node.realOf(state.instanceLeaseDeadline()));
      }
      long token = ++checkToken;
      if (d.recheckAt().isPresent()) {
        atLocal(node, d.recheckAt().getAsLong(), () -> {
          if (checkToken == token) {
            reconcile();
          }
        });
      }
    }

    void beginStop(HostingDecision d) {
      History.Instance inst = instance;
      if (!d.withStopMessage()) {
        // Suspended: stopped as soon as the handler it was suspended in (if any) returned.
        long ends = Math.max(now, inst.quietFrom);
        log(node, "suspended singleton of term " + inst.term + " stopping, ends in "
            + ms(ends - now));
        if (ends <= now) {
          terminated(inst);
        } else {
          at(ends, () -> terminated(inst));
        }
        return;
      }
      long local = node.local();
      long ends = Math.min(local + stopLatency(), d.hardStopAt());
      log(node, "singleton of term " + inst.term + " stopping, ends in " + ms(Math.max(0,
          ends - local)));
      if (ends <= local) {
        terminated(inst);
      } else {
        atLocal(node, ends, () -> terminated(inst));
      }
    }

    long stopLatency() {
      int p = rnd.nextInt(100);
      long budget = stopTimeout();
      return p < 60 ? rnd.nextLong(20 * MS) : p < 85 ? rnd.nextLong(budget)
          : p < 95 ? budget + rnd.nextLong(2 * budget) : rnd.nextLong(3_000 * MS);
    }

    void terminated(History.Instance inst) {
      if (instance != inst) {
        return;
      }
      history.instanceTerminated(now, inst);
      log(node, "singleton of term " + inst.term + " terminated");
      instance = null;
      state = state.terminated();
      answerRelease();
      reconcile();
    }

    /** The process died: everything in it ends at once. */
    void processDied() {
      if (instance != null) {
        history.instanceTerminated(now, instance);
      }
      instance = null;
      state = HostingState.INITIAL;
      releaseTerm = -1;
      checkToken++;
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
    boolean tight = rnd.nextBoolean();
    this.timings = options.timings() != null ? options.timings()
        : tight ? TIGHT : ElectionTimings.DEFAULTS;
    this.trace = options.trace() ? new ArrayList<>() : null;
    this.golden = options.record() ? new ArrayList<>() : null;
    int pick = rnd.nextInt(100);
    Scenario[] weights = new Scenario[100];
    int[] share = {30, 12, 5, 4, 4, 6, 5, 6, 6, 5, 4, 4, 4, 5};
    int k = 0;
    for (int i = 0; i < share.length; i++) {
      for (int j = 0; j < share[i]; j++) {
        weights[k++] = Scenario.values()[i];
      }
    }
    this.scenario = options.forcedScenario() != null ? options.forcedScenario() : weights[pick];
    // The hand-over timeout: usually the default, sometimes shorter than a slow stop takes.
    int h = rnd.nextInt(100);
    long handOver = h < 60 ? 2_000 * MS : h < 85 ? (100 + rnd.nextInt(300)) * MS
        : (5 + rnd.nextInt(95)) * MS;
    this.basePolicy = new ElectionPolicy(1, handOver, 1);
  }

  static Result run(long seed, Options options) {
    return new Simulation(seed, options).run();
  }

  static String ms(long nanos) {
    return String.format("%.3fms", nanos / 1e6);
  }

  private void count(String key) {
    counters.merge(key, 1L, Long::sum);
  }

  private ElectionCore coreFor(ElectionTimings t, int expect) {
    return new ElectionCore(t, basePolicy.withBootstrapExpect(expect), options.defects());
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
        chaosThenStabilise(4_000, 6_000);
      }
      case GROWTH -> startGrowth(size);
      case MEMBERSHIP_SPLIT -> {
        startConfigured(size);
        minDelay = MS;
        maxDelay = 20 * MS;
        at(2_000 * MS, this::joinTwoThenSplit);
      }
      case CRASH_LOOP -> {
        size = 3;
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
      case FULL_OUTAGE -> {
        size = Math.min(size, 5);
        startConfigured(size);
        at((1_500 + rnd.nextInt(2_000)) * MS, this::fullOutage);
      }
      case ROLLING_TIMINGS -> {
        size = Math.min(size, 5);
        startConfigured(size);
        scheduleRollingChange();
        chaosThenStabilise(6_000, 4_000);
      }
      case LEAVE_ALIVE, ACTOR_RESTART, DISK_FAULTS, HOSTILE_INPUT, DRIFTING_CLOCKS -> {
        startConfigured(size);
        if (scenario == Scenario.DISK_FAULTS) {
          diskFailRate = 0.02;
        }
        chaosThenStabilise(4_000, 6_000);
      }
      case ASYMMETRIC_LINKS -> {
        startConfigured(size);
        drawLinkDelays();
        chaosThenStabilise(4_000, 6_000);
      }
      case TWO_CLUSTERS -> size = startTwoClusters();
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
      if (checkL1 && stableAt != Long.MAX_VALUE && now > stableAt + L1_BOUND) {
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
    counters.put("writesAccepted", history.writesAccepted);
    counters.put("writesRefused", history.writesRefusedStale + history.writesRefusedForeign);
    if (golden != null && !history.violations().isEmpty()) {
      golden.add(0, "# violation: " + history.violations().get(0));
    }
    return new Result(seed, scenario, size, List.copyOf(history.violations()),
        trace == null ? List.of() : trace, now, events, history.elections(), counters,
        golden == null ? List.of() : golden);
  }

  private void chaosThenStabilise(int minMs, int spreadMs) {
    long chaosEnd = (minMs + rnd.nextInt(spreadMs)) * MS;
    scheduleChaos(chaosEnd);
    at(chaosEnd, this::stabilise);
  }

  private void startConfigured(int size) {
    var ids = new ArrayList<NodeId>();
    var created = new ArrayList<SimNode>();
    int expect = rnd.nextInt(3) == 0 ? 1 : Math.min(3, size);
    for (int i = 0; i < size; i++) {
      SimNode n = addNode(0, timings, expect);
      created.add(n);
      ids.add(n.id());
    }
    var config = VoterConfig.of(new ConfigId(0, 1), ids);
    long lineage = rnd.nextInt(4) == 0 ? Lineage.LEGACY : Lineage.mint(rnd.nextLong());
    var names = new ArrayList<String>();
    for (SimNode n : created) {
      n.durable = new HardState(0, Optional.empty(), config, lineage, 0);
      names.add(n.name);
    }
    bootstrapExpect = expect;
    membershipAdd(names, 0);
    for (SimNode n : created) {
      startNode(n);
    }
  }

  /** GROWTH: no state anywhere; members come Up over time; the core decides who founds. */
  private void startGrowth(int size) {
    int expect = switch (rnd.nextInt(3)) {
      case 0 -> 1;
      case 1 -> Math.min(3, size);
      default -> size;
    };
    bootstrapExpect = expect;
    var first = new ArrayList<String>();
    int initially = 1 + rnd.nextInt(size);
    for (int i = 0; i < size; i++) {
      SimNode n = addNode(0, timings, expect);
      if (i < initially) {
        startNode(n);
        first.add(n.name);
      } else {
        at((rnd.nextInt(2_500)) * MS, () -> {
          startNode(n);
          membershipAdd(List.of(n.name), 0);
        });
      }
    }
    membershipAdd(first, 0);
    chaosThenStabilise(3_000, 6_000);
  }

  private SimNode addNode(int cluster, ElectionTimings t, int expect) {
    return addNode("n" + nextNodeNumber++, cluster, t, expect);
  }

  private SimNode addNode(String name, int cluster, ElectionTimings t, int expect) {
    SimNode n = new SimNode(name);
    n.cluster = cluster;
    n.core = coreFor(t, expect);
    nodes.put(n.name, n);
    if (golden != null) {
      golden.add(GoldenTrace.coreLine(n.name, n.core, options.defects()));
    }
    return n;
  }

  private void startNode(SimNode n) {
    n.alive = true;
    n.actorDown = false;
    n.diskBad = false;
    n.incarnation++;
    n.process++;
    n.pausedUntil = Long.MIN_VALUE;
    n.inbox.clear();
    n.membershipSeen = -1;
    // A new process has an arbitrary monotonic origin.
    n.baseReal = now;
    n.baseLocal = rnd.nextLong(1L << 40);
    log(n, "start with " + n.durable);
    startCore(n);
  }

  private void startCore(SimNode n) {
    long local = n.local();
    long rs = rnd.nextLong();
    if (golden != null) {
      golden.add(GoldenTrace.startLine(n.id(), n.durable, local, rs));
    }
    Step s = n.core.start(n.id(), n.durable, local, rs);
    checkCampaigns(n, null, s);
    if (golden != null) {
      golden.addAll(GoldenTrace.outputLines(s));
    }
    apply(n, s);
    // A (re)started member learns the membership from the cluster shortly after joining.
    long version = membershipVersion;
    var snapshot = membersOf(n.cluster);
    int inc = n.incarnation;
    at(now + (5 + rnd.nextInt(100)) * MS,
        () -> deliverMembership(n, inc, version, snapshot));
  }

  // ---- driving a node --------------------------------------------------------------------

  private void deliver(SimNode n, int incarnation, LongFunction<ElectionEvent> event) {
    if (!n.alive || n.actorDown || n.incarnation != incarnation) {
      return;
    }
    if (n.paused()) {
      n.inbox.add(event);
      return;
    }
    feed(n, event.apply(n.local()));
  }

  private void feed(SimNode n, ElectionEvent e) {
    Step step;
    try {
      step = n.core.step(n.state, e);
    } catch (RuntimeException ex) {
      history.violation(now, "the core threw on " + describe(e) + " at " + n.name + ": " + ex);
      crash(n);
      return;
    }
    checkCampaigns(n, n.state, step);
    if (golden != null) {
      golden.add(GoldenTrace.eventLine(n.name, e));
      golden.addAll(GoldenTrace.outputLines(step));
    }
    if (trace != null && !(e instanceof Tick && step.effects().isEmpty())) {
      log(n, describe(e) + " -> " + describeEffects(step.effects()));
    }
    apply(n, step);
  }

  private void apply(SimNode n, Step step) {
    // Campaign announcements change nothing outside the node (the shell logs and counts them), so
    // a crash between them means nothing; leaving them out also keeps every schedule (the random
    // draws below) what it was before the core announced campaigns.
    List<ElectionEffect> effects = step.effects().stream()
        .filter(e -> !isAnnouncement(e)).toList();
    int limit = effects.size();
    boolean crash = !effects.isEmpty() && now < stableAt && scenario != Scenario.RETURNING_NODE
        && rnd.nextDouble() < options.midStepCrashRate();
    if (crash) {
      limit = rnd.nextInt(effects.size());
    }
    int inc = n.incarnation;
    for (int i = 0; i < limit; i++) {
      if (!carryOut(n, effects.get(i), step.state())) {
        return; // the node crashed on a failed write: nothing after it happens
      }
      if (!n.alive || n.incarnation != inc) {
        return;
      }
    }
    if (crash) {
      log(n, "crashes after " + limit + " of " + effects.size() + " effects");
      crash(n);
      scheduleRestart(n);
      return;
    }
    n.state = step.state();
    long token = ++n.wakeToken;
    atLocal(n, step.wakeAt(), () -> {
      if (n.wakeToken == token) {
        deliver(n, inc, Tick::new);
      }
    });
  }

  /** C1: the core's campaign announcements match what the node does ({@link CampaignCheck}). */
  private void checkCampaigns(SimNode n, NodeState before, Step step) {
    for (String problem : CampaignCheck.check(before, step)) {
      history.violation(now, "C1 violated: campaign announcements of " + n.name + ": " + problem);
    }
  }

  /** A campaign announcement: {@code CampaignStarted}, {@code CampaignLost}, {@code VoteRefused}. */
  static boolean isAnnouncement(ElectionEffect e) {
    return e instanceof ElectionEffect.CampaignStarted || e instanceof ElectionEffect.CampaignLost
        || e instanceof ElectionEffect.VoteRefused;
  }

  /** Carries out one effect; false if the node crashed doing it. */
  private boolean carryOut(SimNode n, ElectionEffect effect, NodeState after) {
    if (effect instanceof Persist p) {
      return persist(n, p.state());
    } else if (effect instanceof Send s) {
      send(n, s.to(), s.message());
    } else if (effect instanceof Elected el) {
      history.elected(now, after.lineage(), n.id(), el.term());
    } else if (effect instanceof LeaseAcquired la) {
      history.leaseAcquired(now, after.lineage(), n.id(), la.term());
      n.manager.onLeaseAcquired(la.term(), la.leaseDeadline(), after.lineage());
    } else if (effect instanceof LeaseRenewed lr) {
      n.manager.onLeaseRenewed(lr.term(), lr.leaseDeadline());
    } else if (effect instanceof SteppedDown sd) {
      count("stepDown." + sd.reason());
      n.manager.onNotLeader();
    } else if (effect instanceof LeaderKnown lk) {
      if (!lk.leader().name().equals(n.name)) {
        n.manager.onNotLeader();
      }
    } else if (effect instanceof LeaderLost) {
      n.manager.onNotLeader();
    } else if (effect instanceof ReleaseHosting r) {
      count("releaseHosting");
      n.manager.onRelease(r.term());
    } else if (effect instanceof Rejected r) {
      count("rejected." + r.reason());
    } else if (effect instanceof BootstrapStatus b) {
      count(b.status().startsWith("founded") ? "founded" : "bootstrapStatus");
    } else if (effect instanceof ConfigChanged c && onLeaderConfigGrowth != null
        && n.state.isLeader() && c.config().voters().size() > n.state.config().voters().size()) {
      Runnable action = onLeaderConfigGrowth;
      onLeaderConfigGrowth = null;
      action.run();
    }
    return true;
  }

  /**
   * A durable write. On a bad disk the fsync fails: the shell must crash the node before any later
   * effect (the state it would announce is not durable). With {@link
   * ShellDefect#SWALLOWED_FSYNC} the failure is ignored and the node goes on: the write sits in
   * the page cache and is lost when the machine loses power (scheduled when the disk goes bad).
   */
  private boolean persist(SimNode n, HardState s) {
    if (!n.diskBad && diskFailRate > 0 && now < stableAt && rnd.nextDouble() < diskFailRate) {
      n.diskBad = true;
      int proc = n.process;
      at(now + (20 + rnd.nextInt(600)) * MS, () -> {
        if (n.alive && n.process == proc) {
          log(n, "power loss after the disk went bad");
          crash(n);
          scheduleRestart(n);
        }
      });
    }
    if (n.diskBad) {
      count("fsyncFailed");
      if (options.shellDefects().contains(ShellDefect.SWALLOWED_FSYNC)) {
        log(n, "fsync failed, IGNORED (planted defect): " + s);
        return true;
      }
      log(n, "fsync failed: crashes before any later effect");
      crash(n);
      scheduleRestart(n);
      return false;
    }
    n.durable = s;
    return true;
  }

  private long linkDelay(String from, String to) {
    long[] d = linkDelay.get(from + ">" + to);
    if (d != null) {
      long base = d[0] + rnd.nextLong(d[1] - d[0] + 1);
      return rnd.nextInt(50) == 0 ? base + rnd.nextLong(d[2] + 1) : base; // a heavy tail
    }
    return minDelay + rnd.nextLong(maxDelay - minDelay + 1);
  }

  private void send(SimNode from, String to, ElectionMessage m) {
    if (isBlocked(from.name, to) || rnd.nextDouble() < lossRate) {
      return;
    }
    int copies = rnd.nextDouble() < dupRate ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long delay = linkDelay(from.name, to);
      at(now + delay, () -> {
        SimNode target = nodes.get(to);
        if (target == null || isBlocked(from.name, to) || target.cluster != from.cluster) {
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

  private void atLocal(SimNode n, long local, Runnable action) {
    var t = new LocalTimer(local, action);
    n.timers.add(t);
    scheduleTimer(n, t);
  }

  private void scheduleTimer(SimNode n, LocalTimer t) {
    int v = ++t.version;
    int proc = n.process;
    at(n.realOf(t.local) > now ? n.realOf(t.local) : now, () -> {
      if (t.done || t.version != v) {
        return;
      }
      if (!n.alive || n.process != proc) {
        t.done = true;
        return;
      }
      if (n.paused()) {
        int pv = ++t.version;
        at(n.pausedUntil, () -> {
          if (!t.done && t.version == pv) {
            t.done = true;
            n.timers.remove(t);
            t.action.run();
          }
        });
        return;
      }
      t.done = true;
      n.timers.remove(t);
      t.action.run();
    });
  }

  // ---- faults ------------------------------------------------------------------------------

  private void crash(SimNode n) {
    if (!n.alive) {
      return;
    }
    n.alive = false;
    n.actorDown = false;
    n.incarnation++;
    n.process++;
    n.inbox.clear();
    for (LocalTimer t : n.timers) {
      t.done = true;
    }
    n.timers.clear();
    n.manager.processDied();
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
      n.stateId = newStateId(n);
      n.durable = HardState.INITIAL;
      log(n, "lost its state; comes back as " + n.id());
    }
    startNode(n);
  }

  /**
   * The identity of a node that lost its state: a new state id, half the time smaller than the old
   * one (ids come from the wall clock, and a clock can be behind: issue 13, scenario 5). Never one
   * the name had before.
   */
  private long newStateId(SimNode n) {
    n.usedStateIds.add(n.stateId);
    long id;
    do {
      id = rnd.nextBoolean() ? n.stateId + 1 + rnd.nextInt(100) : 1 + rnd.nextLong(1L << 20);
    } while (n.usedStateIds.contains(id));
    n.usedStateIds.add(id);
    return id;
  }

  /**
   * ACTOR_RESTART: the election actor throws; its supervisor restarts it 40-250 ms later with the
   * same durable state (the core starts again); the messages of the gap are lost. The singleton
   * manager hears RESTARTED (no lease survives) and stops the instance with its stop latency.
   */
  private void actorFailure(SimNode n) {
    if (!n.alive || n.actorDown || n.paused()) {
      return;
    }
    n.actorDown = true;
    n.incarnation++;
    n.inbox.clear();
    n.wakeToken++;
    log(n, "election actor fails; restarts with back-off");
    count("actorRestart");
    n.manager.onNotLeader();
    int proc = n.process;
    at(now + (40 + rnd.nextInt(211)) * MS, () -> {
      if (n.alive && n.process == proc && n.actorDown) {
        n.actorDown = false;
        n.membershipSeen = -1;
        log(n, "election actor restarts with " + n.durable);
        startCore(n);
      }
    });
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

  /** DRIFTING_CLOCKS: the node's clock rate changes (within the drift bound) from now on. */
  private void changeRate(SimNode n) {
    if (!n.alive) {
      return;
    }
    long local = n.local();
    n.baseReal = now;
    n.baseLocal = local;
    n.clockRate = n.drawRate();
    for (LocalTimer t : new ArrayList<>(n.timers)) {
      if (!t.done) {
        scheduleTimer(n, t);
      }
    }
    var m = n.manager;
    if (m.instance != null) {
      m.instance.leaseEndReal = n.realOf(m.state.instanceLeaseDeadline());
    }
    trace(n.name + " clock rate now " + n.clockRate);
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
    if (rnd.nextInt(2) == 0 && scenarioFault(victim, alive)) {
      return;
    }
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
      case 9 -> {
        if (scenario != Scenario.ROLLING_TIMINGS) {
          joinSome();
        }
      }
      default -> downOne();
    }
  }

  /** The scenario's own fault, if it has one; false to fall back to an ordinary chaos fault. */
  private boolean scenarioFault(SimNode victim, List<SimNode> alive) {
    switch (scenario) {
      case ACTOR_RESTART -> {
        actorFailure(victim);
        if (rnd.nextBoolean()) {
          // Issue 13, scenario 2: the leader's link to another follower is cut at the same time.
          SimNode leader = leaderOr(alive);
          SimNode other = alive.get(rnd.nextInt(alive.size()));
          if (leader != other && other != victim) {
            partition(List.of(List.of(leader.name), List.of(other.name)),
                (300 + rnd.nextInt(2_000)) * MS);
          }
        }
        return true;
      }
      case LEAVE_ALIVE -> {
        SimNode leader = leaderOr(alive);
        if (leader.state != null && leader.state.isLeader()) {
          leaveAlive(leader);
          return true;
        }
        return false;
      }
      case HOSTILE_INPUT -> {
        inject(victim, alive);
        return true;
      }
      case DRIFTING_CLOCKS -> {
        for (SimNode n : alive) {
          if (rnd.nextBoolean()) {
            changeRate(n);
          }
        }
        return rnd.nextBoolean();
      }
      case DISK_FAULTS -> {
        return false; // the disk fails inside persist()
      }
      default -> {
        return false;
      }
    }
  }

  /**
   * LEAVE_ALIVE: the leader leaves (Cluster.leave: it drops from everyone's eligible set, its own
   * included, while its process runs on) or is downed while alive (cut off as well); the process
   * ends 0.5-3 s later.
   */
  private void leaveAlive(SimNode leader) {
    if (!identityLossTolerable(leader.name) || membersOf(0).size() <= 2) {
      return;
    }
    boolean downed = rnd.nextInt(3) == 0;
    count(downed ? "downedAlive" : "leftAlive");
    trace(leader.name + (downed ? " downed while alive" : " leaves while alive"));
    if (downed) {
      partition(List.of(List.of(leader.name), others(leader.name)), 5_000 * MS);
    }
    leader.removed = true;
    membership.remove(leader.name);
    membershipVersion++;
    gossipMembership(0, downed ? null : leader);
    int proc = leader.process;
    at(now + (500 + rnd.nextInt(2_500)) * MS, () -> {
      if (leader.alive && leader.process == proc) {
        crash(leader);
      }
    });
  }

  /**
   * HOSTILE_INPUT: a member (buggy or hostile) sends messages with terms near MAX_TERM or far
   * ahead, foreign lineage ids and no lineage; and malformed ones, which the message records refuse
   * to build (they never reach a core: the wire drops them).
   */
  private void inject(SimNode victim, List<SimNode> alive) {
    SimNode target = alive.get(rnd.nextInt(alive.size()));
    if (target == victim || victim.state == null) {
      return;
    }
    long lineage = victim.state.lineage();
    long term = switch (rnd.nextInt(4)) {
      case 0 -> ElectionMessage.MAX_TERM;
      case 1 -> ElectionMessage.MAX_TERM - 1 - rnd.nextInt(3);
      case 2 -> victim.state.term() + ElectionCore.MAX_TERM_JUMP + 1 + rnd.nextInt(1_000);
      default -> rnd.nextLong(ElectionMessage.MAX_TERM);
    };
    term = Math.min(term, ElectionMessage.MAX_TERM);
    long lin = switch (rnd.nextInt(4)) {
      case 0 -> Lineage.mint(rnd.nextLong());
      case 1 -> Lineage.NONE;
      default -> lineage;
    };
    ElectionMessage m = switch (rnd.nextInt(4)) {
      case 0 -> new ElectionMessage.VoteRequest(term, victim.id(), lin, victim.state.config().id(),
          Optional.empty());
      case 1 -> new ElectionMessage.PreVoteRequest(term, victim.id(), lin,
          victim.state.config().id());
      case 2 -> new ElectionMessage.HeartbeatAck(term, victim.id(), lin, 0,
          victim.state.config().id(), rnd.nextBoolean());
      default -> new ElectionMessage.PreVoteResponse(term, victim.id(), lin, true);
    };
    count("hostile");
    trace("hostile " + describe(m) + " lineage " + Lineage.format(lin) + " to " + target.name);
    send(victim, target.name, m);
    try {
      new ElectionMessage.Heartbeat(ElectionMessage.MAX_TERM + 1 + rnd.nextInt(1_000),
          victim.id(), lineage, 0, victim.state.config(), 1);
      history.violation(now, "a malformed message (term above MAX_TERM) was built");
    } catch (IllegalArgumentException | NullPointerException expected) {
      count("malformedDropped");
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

  /** ASYMMETRIC_LINKS: each directed link its own delay range and tail. */
  private void drawLinkDelays() {
    for (String a : nodes.keySet()) {
      for (String b : nodes.keySet()) {
        if (!a.equals(b)) {
          long lo = (1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 150 : 10)) * MS;
          long hi = lo + rnd.nextInt(rnd.nextInt(3) == 0 ? 250 : 20) * MS;
          linkDelay.put(a + ">" + b, new long[] {lo, hi, (long) rnd.nextInt(500) * MS});
        }
      }
    }
  }

  /** ROLLING_TIMINGS: nodes restart one by one with the other timings (state kept). */
  private void scheduleRollingChange() {
    ElectionTimings from = timings;
    ElectionTimings to = FAST;
    if (rnd.nextBoolean()) {
      // Half the runs roll from the fast timings to the slow ones.
      for (SimNode n : nodes.values()) {
        n.core = coreFor(to, n.core.policy().bootstrapExpect());
        if (golden != null) {
          golden.add(GoldenTrace.coreLine(n.name, n.core, options.defects()));
        }
      }
      to = from;
    }
    ElectionTimings target = to;
    long t = (500 + rnd.nextInt(1_000)) * MS;
    for (SimNode n : new ArrayList<>(nodes.values())) {
      long at = t;
      at(at, () -> {
        if (n.removed) {
          return;
        }
        crash(n);
        n.core = coreFor(target, n.core.policy().bootstrapExpect());
        if (golden != null) {
          golden.add(GoldenTrace.coreLine(n.name, n.core, options.defects()));
        }
        trace(n.name + " restarts with timings " + target);
        int inc = n.incarnation;
        at(now + (50 + rnd.nextInt(400)) * MS, () -> restart(n, inc));
      });
      t += (300 + rnd.nextInt(1_500)) * MS;
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
      SimNode n = addNode(0, timings, bootstrapExpect);
      names.add(n.name);
      startNode(n);
    }
    if (!names.isEmpty()) {
      membershipAdd(names, 0);
    }
  }

  /**
   * Downs one member (a crashed or cut-off one when there is one): it is removed from the
   * membership without its say and its process ends. Only done while a majority of every
   * configuration any node holds keeps its identity.
   */
  private void downOne() {
    if (scenario == Scenario.GROWTH && !anyConfigured()) {
      // Downing members before bootstrap-expect is reached stops any lineage being founded: that
      // is the rule (wait for the expected members), not a liveness failure to look for.
      return;
    }
    var candidates = new ArrayList<SimNode>();
    for (SimNode n : nodes.values()) {
      if (!n.removed && membership.containsKey(n.name)) {
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
    trace("membership: " + victim.name + " downed and removed -> " + membership.keySet());
    gossipMembership(victim.cluster, null);
  }

  private boolean anyConfigured() {
    for (SimNode n : nodes.values()) {
      if (!n.durable.config().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private SortedSet<String> membersOf(int cluster) {
    var out = new TreeSet<String>();
    membership.forEach((name, c) -> {
      if (c == cluster) {
        out.add(name);
      }
    });
    return out;
  }

  private void membershipAdd(List<String> names, int cluster) {
    for (String n : names) {
      membership.put(n, cluster);
    }
    membershipVersion++;
    trace("membership: " + names + " up in cluster " + cluster + " -> " + membersOf(cluster));
    gossipMembership(cluster, null);
  }

  /** Every live node of {@code cluster} (and {@code extra}, a leaving member) hears the view. */
  private void gossipMembership(int cluster, SimNode extra) {
    long version = membershipVersion;
    var snapshot = membersOf(cluster);
    for (SimNode n : nodes.values()) {
      if (n.alive && ((n.cluster == cluster && !n.removed) || n == extra)) {
        int inc = n.incarnation;
        at(now + (10 + rnd.nextInt(400)) * MS,
            () -> deliverMembership(n, inc, version, snapshot));
      }
    }
  }

  /**
   * Whether the node called {@code name} may lose its current identity (state loss or removal)
   * and every configuration held by any node still has a majority of voters that exist.
   */
  private boolean identityLossTolerable(String name) {
    var existing = new TreeSet<NodeId>();
    for (SimNode n : nodes.values()) {
      if (!n.removed && !n.name.equals(name)) {
        existing.add(n.id());
      }
    }
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

  // ---- full outage ---------------------------------------------------------------------------

  /**
   * FULL_OUTAGE: every node goes down and the Pekko cluster is gone. It forms again with new
   * nodes first (a brand-new node, or an old one whose state was lost, is the first seed and
   * alone in the cluster for a while); then the others come back, with their state, except that
   * state is lost on none, a minority or a majority. Bootstrap-expect is the seed-node count
   * (correct) or 1 (misconfigured). Only when no majority lost its state and bootstrap-expect is
   * not 1 must a leader come back (L1); safety and X1 are checked throughout.
   */
  private void fullOutage() {
    var old = new ArrayList<SimNode>();
    for (SimNode n : nodes.values()) {
      if (!n.removed) {
        old.add(n);
      }
      crash(n);
    }
    membership.clear();
    membershipVersion++;
    trace("full outage");
    int loss = rnd.nextInt(3); // 0 none, 1 minority, 2 majority
    int lose = loss == 0 ? 0 : loss == 1 ? Math.max(1, (old.size() - 1) / 2) : old.size() / 2 + 1;
    Collections.shuffle(old, new java.util.Random(rnd.nextLong()));
    for (int i = 0; i < lose; i++) {
      old.get(i).stateId = newStateId(old.get(i));
      old.get(i).durable = HardState.INITIAL;
    }
    int expect = rnd.nextInt(3) == 0 ? 1 : old.size();
    for (SimNode n : old) {
      n.core = coreFor(n.timings(), expect);
      if (golden != null) {
        golden.add(GoldenTrace.coreLine(n.name, n.core, options.defects()));
      }
    }
    checkL1 = lose <= (old.size() - 1) / 2 && expect > 1 && quorumOfNewestConfigKept(old);
    count("outage.loss" + loss + (expect == 1 ? ".expect1" : ""));
    var order = new ArrayList<SimNode>();
    if (rnd.nextBoolean() || lose == 0) {
      // A brand-new node first; half the time its name sorts before every old one.
      String name = (rnd.nextBoolean() ? "m" : "n") + nextNodeNumber++;
      order.add(addNode(name, 0, timings, expect));
      if (lose == 0) {
        checkL1 = expect > 1 && quorumOfNewestConfigKept(old);
      }
    }
    // Then the ones that lost their state (they are "new" too), then the rest.
    for (int i = 0; i < old.size(); i++) {
      order.add(old.get(i));
    }
    long t = now + (200 + rnd.nextInt(800)) * MS;
    long lastUp = t;
    for (int i = 0; i < order.size(); i++) {
      SimNode n = order.get(i);
      long at = t;
      at(at, () -> {
        n.removed = false;
        startNode(n);
        membershipAdd(List.of(n.name), 0);
      });
      lastUp = t;
      t += (i == 0 ? 300 + rnd.nextInt(1_500) : rnd.nextInt(700)) * MS;
    }
    // The network is clean from here on: both lineages (if two arose) can talk.
    long heard = lastUp + 420 * MS + crossLineageAllowance();
    history.checkCrossLineageFrom(heard);
    at(heard, this::sampleCrossLineage);
    at(lastUp + 1, this::stabilise);
  }

  /**
   * Whether a quorum of the newest configuration any surviving node holds still has its state
   * under the identity that configuration names. Losses counted over the nodes alone miss a voter
   * that had already lost its state (and not been replaced yet) before the outage: then a
   * "minority" loss takes a majority of the configuration, and no leader may be elected (the
   * 1,000,000-schedule run found two such schedules, seeds 2648223 and 2973865).
   */
  private static boolean quorumOfNewestConfigKept(List<SimNode> old) {
    VoterConfig newest = VoterConfig.EMPTY;
    for (SimNode n : old) {
      VoterConfig c = n.durable.config();
      if (!c.isEmpty() && c.id().compareTo(newest.id()) > 0) {
        newest = c;
      }
    }
    if (newest.isEmpty()) {
      return true;
    }
    var kept = new ArrayList<NodeId>();
    for (NodeId v : newest.voters()) {
      for (SimNode n : old) {
        if (n.name.equals(v.name()) && n.stateId == v.stateId() && !n.durable.config().isEmpty()) {
          kept.add(v);
        }
      }
    }
    return newest.isQuorum(kept);
  }

  /** How long two lineages that can talk may still both host: hear each other, then stop. */
  private long crossLineageAllowance() {
    long hb = 0;
    long lease = 0;
    for (SimNode n : nodes.values()) {
      hb = Math.max(hb, n.timings().heartbeatIntervalNanos());
      lease = Math.max(lease, n.timings().leaseNanos());
    }
    return 2 * hb + 4 * maxDelay + 200 * MS + 50 * MS;
  }

  private void sampleCrossLineage() {
    history.checkCrossLineage(now);
    if (!finished) {
      at(now + 10 * MS, this::sampleCrossLineage);
    }
  }

  // ---- two clusters ----------------------------------------------------------------------------

  /**
   * TWO_CLUSTERS: two groups bootstrap separately (two Pekko clusters, e.g. a misconfigured seed
   * list), each founds its own lineage. Then either they meet (the clusters merge: one membership
   * view, a clean network; X1 from then on, and no leader is expected: the core fails closed), or
   * they never meet but write to one fenced resource (only the pinned lineage may write).
   */
  private int startTwoClusters() {
    int a = 2 + rnd.nextInt(2);
    int b = 1 + rnd.nextInt(3);
    var groups = List.of(new ArrayList<SimNode>(), new ArrayList<SimNode>());
    for (int i = 0; i < a + b; i++) {
      int cluster = i < a ? 0 : 1;
      SimNode n = addNode(cluster, timings, cluster == 0 ? a : b);
      groups.get(cluster).add(n);
    }
    for (int c = 0; c < 2; c++) {
      var names = new ArrayList<String>();
      for (SimNode n : groups.get(c)) {
        startNode(n);
        names.add(n.name);
      }
      membershipAdd(names, c);
    }
    checkL1 = false;
    boolean meet = rnd.nextBoolean();
    count(meet ? "twoClusters.meet" : "twoClusters.sharedResource");
    long mergeAt = (2_500 + rnd.nextInt(2_000)) * MS;
    if (meet) {
      at(mergeAt, () -> {
        trace("the two clusters merge");
        for (SimNode n : nodes.values()) {
          n.cluster = 0;
        }
        membership.replaceAll((k, v) -> 0);
        membershipVersion++;
        gossipMembership(0, null);
        long from = now + 420 * MS + crossLineageAllowance();
        history.checkCrossLineageFrom(from);
        at(from, this::sampleCrossLineage);
        at(from + 3_000 * MS, () -> {
          if (leaderHosting() != null) {
            count("twoClusters.leaderAfterMerge");
          }
          finished = true;
        });
      });
    } else {
      at(mergeAt + 3_000 * MS, () -> finished = true);
    }
    return a + b;
  }

  private SimNode leaderHosting() {
    for (SimNode n : nodes.values()) {
      if (n.alive && n.state != null && n.state.holdsLease(n.local())) {
        return n;
      }
    }
    return null;
  }

  // ---- the fenced resource ----------------------------------------------------------------------

  /**
   * A running instance writes to the fenced resource every 20-80 ms while it is not suspended,
   * until its stop completes; a
   * write travels 1-30 ms, sometimes 100-400 ms (a slow request that arrives after newer ones).
   */
  private void scheduleWrite(History.Instance inst) {
    at(now + (20 + rnd.nextInt(60)) * MS, () -> write(inst));
  }

  private void write(History.Instance inst) {
    if (inst.terminatedAt <= now) {
      return;
    }
    SimNode n = nodes.get(inst.node.name());
    if (n.paused()) {
      at(n.pausedUntil, () -> write(inst));
      return;
    }
    if (inst.quietFrom <= now) {
      // Suspended: its messages and timers are held, so it does not write.
      scheduleWrite(inst);
      return;
    }
    long delay = (rnd.nextInt(20) == 0 ? 100 + rnd.nextInt(300) : 1 + rnd.nextInt(30)) * MS;
    at(now + delay, () -> history.write(now, inst));
    scheduleWrite(inst);
  }

  // ---- liveness ----------------------------------------------------------------------------

  /** End of the chaos: heal everything, restart crashed members, then expect a leader (L1). */
  private void stabilise() {
    stableAt = now;
    blocked.clear();
    linkDelay.clear();
    lossRate = 0;
    dupRate = 0;
    minDelay = MS;
    maxDelay = 5 * MS;
    diskFailRate = 0;
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
    if (checkL1) {
      at(now + 100 * MS, this::probeLiveness);
    } else {
      at(now + 5_000 * MS, () -> finished = true);
    }
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
      if (!n.removed && membership.containsKey(n.name)) {
        expected.add(n.id());
      }
    }
    for (SimNode n : nodes.values()) {
      if (n.alive && !n.paused() && !n.actorDown && n.state != null
          && n.state.holdsLease(n.local()) && n.state.config().voters().equals(expected)) {
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
    var old = new ArrayList<>(membership.keySet());
    var joiners = new ArrayList<String>();
    for (int i = 0; i < 2; i++) {
      SimNode n = addNode(0, timings, bootstrapExpect);
      joiners.add(n.name);
      startNode(n);
    }
    membershipAdd(joiners, 0);
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
    for (String name : membership.keySet()) {
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
            .append(" t").append(n.state.term()).append(" L")
            .append(Lineage.format(n.state.lineage()), 12, 16).append(' ')
            .append(n.state.config());
        if (!n.state.foreign().isEmpty()) {
          sb.append(" foreign ").append(n.state.foreign().keySet());
        }
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
    if (e instanceof HostingReleased h) {
      return "HostingReleased(t" + h.term() + ")";
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
            .map(NodeId::toString).orElse("-") + " " + p.state().config().id() + " promise "
            + ms(p.state().promiseNanos()) + ")");
      } else if (e instanceof Rejected r) {
        parts.add("Rejected(" + r.reason() + " " + describe(r.message()) + ")");
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

  static Map<Scenario, Long> emptyScenarioCounts() {
    var m = new EnumMap<Scenario, Long>(Scenario.class);
    for (Scenario s : Scenario.values()) {
      m.put(s, 0L);
    }
    return m;
  }
}
