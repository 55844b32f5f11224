package dev.regent.multijvm;

import dev.regent.multijvm.harness.History;
import dev.regent.multijvm.harness.HistoryEvent.Fault;
import dev.regent.multijvm.harness.HistoryEvent.FaultKind;
import dev.regent.multijvm.harness.HistoryEvent.NodeExited;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.MultiJvmCluster;
import dev.regent.multijvm.harness.NodeStatus;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Chaos on five node JVMs: a seeded random schedule of crashes (SIGKILL), pauses (SIGSTOP, later
 * SIGCONT), partitions into random groups (later healed) and restarts, for a bounded time; then
 * everything is healed, resumed and restarted, exactly one incarnation must run, and the checker
 * (S1-S4, L1) must pass over the whole history.
 *
 * <ul>
 *   <li>{@code -Dregent.chaos.seconds=N}: how long faults are injected (default 60);
 *   <li>{@code -Dregent.chaos.seed=S}: the seed (default: random). It is printed first
 *       ({@code CHAOS seed=...}) and in every failure message. Each step is printed as a
 *       {@code CHAOS +t ...} line.
 * </ul>
 *
 * <p>Replaying a seed repeats the same random draws. Where a draw depends on the cluster's state
 * (which node hosts the singleton, which nodes the resolver has downed), a replay on a machine
 * with different timing can take a different path; the printed schedule shows the path taken.
 *
 * <p>A crash or pause is injected only while at most one node is down, paused or not (yet) an Up
 * member, so at most two are at once and a quorum of the five usually exists. The nodes run the
 * suite's configuration (keep-majority resolver, stable-after 4 s) with
 * {@code down-all-when-unstable = off}: the schedule changes reachability every few seconds, and
 * with it on every run would end in the resolver downing the whole cluster, which would test
 * little else. The resolver may still down a minority, or a paused node, on its own: such a node
 * exits (status 255: Pekko's exit code for a downed node), counts as down, and the schedule
 * restarts it. Any other exit of a process the schedule did not kill fails the test.
 *
 * <p>Partitions cut only nodes that are Up members (paused, down and still-joining nodes are in no
 * group), and restarts happen only while no partition is in force. A node whose join handshake
 * was blackholed mid-way was seen unable to join for over a minute after the heal (an artefact of
 * Artery's test-mode blackhole, not of Regent); a restarted node that is still not an Up member
 * 45 s after its start is restarted again, as an orchestrator would.
 */
class ChaosTest {

  private static final Duration UP = Duration.ofSeconds(90);
  private static final int N = 5;
  private static final int MAX_IMPAIRED = 2;
  /** A restarted node that is not an Up member this long after its start is restarted again. */
  private static final Duration STUCK_JOIN = Duration.ofSeconds(45);
  /** Exit status of a node that was downed (CoordinatedShutdown with ClusterDowningReason: -1). */
  private static final int DOWNED_EXIT = 255;

  static final String CONFIG = FencedCounterSetup.CONFIG
      + "regent.split-brain-resolver.down-all-when-unstable = off\n";

  private enum Action { CRASH, PAUSE, RESUME, RESTART, PARTITION, HEAL }

  /** Aborts a wait when a node exited on its own in the middle of it. */
  private static final class NodeGone extends AssertionError {
    NodeGone(int i) {
      super("node " + i + " exited");
    }
  }

  private final Random rnd;
  private final long seed;
  private final int seconds;
  private final Map<Action, Integer> injected = new EnumMap<>(Action.class);
  private final Set<Long> killedPids = new HashSet<>();
  /** How many steps each node has been paused / down; how many the partition has lasted. */
  private final Map<Integer, Integer> pausedSteps = new HashMap<>();
  private final Map<Integer, Integer> downSteps = new HashMap<>();
  /** When the schedule last (re)started each node. */
  private final Map<Integer, Long> spawnedAt = new HashMap<>();
  private int partitionSteps = -1;
  private long t0;

  /**
   * One constructor (JUnit requires it, also of a subclass's parent): {@link #defaultSeconds} of
   * faults unless {@code -Dregent.chaos.seconds} says otherwise.
   */
  ChaosTest() {
    String s = System.getProperty("regent.chaos.seed", "");
    seed = s.isBlank() ? new SecureRandom().nextLong() : Long.parseLong(s.trim());
    seconds = Integer.getInteger("regent.chaos.seconds", defaultSeconds());
    rnd = new Random(seed);
  }

  /** Seconds of faults by default (a subclass may run a shorter schedule; reads no state). */
  int defaultSeconds() {
    return 60;
  }

  /** The cluster to run the chaos on (a subclass may pick another backend). */
  MultiJvmCluster.Builder cluster() {
    return MultiJvmCluster.builder("chaos");
  }

  @Test
  void randomFaultsKeepTheContract() {
    String tag = "[chaos seed=" + seed + " seconds=" + seconds
        + "; replay with -Dregent.chaos.seed=" + seed + "]";
    System.out.println("CHAOS seed=" + seed + " seconds=" + seconds
        + " (replay: -Dregent.chaos.seed=" + seed + ")");
    try (var c = cluster().nodes(N).setup(FencedCounterSetup.class).config(CONFIG).start()) {
      try {
        run(c);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(tag + " " + e, e);
      }
    }
  }

  private void run(MultiJvmCluster c) {
    t0 = System.nanoTime();
    for (int i = 0; i < N; i++) {
      c.allowExit(i); // the resolver may down a node (even at start-up, on a loaded machine)
    }
    settle(c);
    SingletonStarted first = Singletons.awaitRunning(c, "a singleton runs", s -> true);
    t0 = System.nanoTime();
    long end = t0 + Duration.ofSeconds(seconds).toNanos();
    int steps = 0;
    while (System.nanoTime() - end < 0) {
      step(c);
      steps++;
      Duration dwell = Duration.ofMillis(300 + rnd.nextInt(2200));
      c.assertDuring("chaos: dwell after step " + steps, dwell, () -> true);
    }
    log("chaos over after " + steps + " steps: resume, heal, restart");
    settle(c);
    SingletonStarted last = Singletons.awaitExactlyOne(c, "after the chaos");
    History h = c.history();

    // Exits the schedule did not cause: only the resolver's downing is expected (Pekko's
    // CoordinatedShutdown exits with -1, status 255, for ClusterDowningReason).
    var ownExits = h.of(NodeExited.class).stream().filter(x -> !killedPids.contains(x.pid()))
        .toList();
    var badExits = ownExits.stream().filter(x -> x.exitCode() != DOWNED_EXIT).toList();
    if (!badExits.isEmpty()) {
      throw new AssertionError("node processes exited with an unexpected status: " + badExits);
    }
    var starts = h.of(SingletonStarted.class);
    long maxToken = starts.stream().mapToLong(SingletonStarted::token).max().orElse(0);
    long sameTerm = IntStream.range(1, starts.size())
        .filter(i -> starts.get(i).token() == starts.get(i - 1).token()).count();
    Map<FaultKind, Long> faults = new TreeMap<>(h.of(Fault.class).stream()
        .filter(f -> f.kind() != FaultKind.START && f.kind() != FaultKind.END
            && f.nanos() >= t0)
        .collect(Collectors.groupingBy(Fault::kind, Collectors.counting())));
    System.out.println("MEASURED chaos seed=" + seed + " seconds=" + seconds + " steps=" + steps
        + ": faults " + faults + " (schedule " + injected + "), nodes downed by the resolver: "
        + ownExits.size() + ", incarnations started: " + starts.size() + " (same-term restarts: "
        + sameTerm + "), max token: " + maxToken + " (first " + first.token() + "), at the end:"
        + " node " + last.node() + " token " + last.token());
    FailureSuiteTest.check(h);
  }

  private void step(MultiJvmCluster c) {
    age(c);
    List<Integer> up = IntStream.range(0, N).filter(i -> c.isAlive(i) && !c.isPaused(i))
        .boxed().toList();
    List<Integer> paused = IntStream.range(0, N).filter(c::isPaused).boxed().toList();
    List<Integer> down = IntStream.range(0, N).filter(i -> !c.isAlive(i)).boxed().toList();
    // Up members: only they are partitioned (see the class comment).
    List<Integer> members = up.stream().filter(i -> isUpMember(c, i)).toList();
    // Down, paused, or not (yet) an Up member: a node still joining does not count towards the
    // cluster either, and if the schedule took out every Up member meanwhile, nobody could move
    // the joining nodes Up and the cluster would be gone (seen before this rule).
    int impaired = N - members.size();
    boolean partitioned = partitionSteps >= 0;

    // Forced steps keep every fault bounded in length.
    Action action = null;
    Integer target = null;
    for (int p : paused) {
      if (pausedSteps.get(p) >= 3) {
        action = Action.RESUME;
        target = p;
      }
    }
    if (action == null && !partitioned) {
      for (int d : down) {
        if (downSteps.get(d) >= 4) {
          action = Action.RESTART;
          target = d;
        }
      }
      for (int j : up) {
        if (!members.contains(j)
            && System.nanoTime() - spawnedAt.getOrDefault(j, t0) > STUCK_JOIN.toNanos()) {
          log("node " + j + " has not become an Up member within " + STUCK_JOIN.toSeconds()
              + " s of its start: restarting it");
          action = Action.RESTART;
          target = j;
        }
      }
    }
    if (action == null && partitioned && partitionSteps >= 4 && paused.isEmpty()) {
      action = Action.HEAL;
    }
    if (action == null) {
      var choices = new ArrayList<Action>();
      if (impaired < MAX_IMPAIRED && up.size() > 1) {
        add(choices, Action.CRASH, 2);
        add(choices, Action.PAUSE, 2);
      }
      if (!paused.isEmpty()) {
        add(choices, Action.RESUME, 3);
      }
      if (!down.isEmpty() && !partitioned) {
        add(choices, Action.RESTART, 3);
      }
      if (!partitioned && members.size() >= 2) {
        add(choices, Action.PARTITION, 2);
      }
      if (partitioned && paused.isEmpty()) {
        add(choices, Action.HEAL, 3);
      }
      if (choices.isEmpty()) {
        return;
      }
      action = choices.get(rnd.nextInt(choices.size()));
    }
    List<Integer> aliveBefore = IntStream.range(0, N).filter(c::isAlive).boxed().toList();
    try {
      apply(c, action, target, up, members, paused, down);
    } catch (RuntimeException e) {
      // Only acceptable if a node is going away on its own (the resolver downed it; its control
      // channel closes before its process ends).
      List<Integer> gone = awaitSomeExit(c, aliveBefore, e);
      log("step " + action + " failed because node(s) " + gone + " exited meanwhile: " + e);
    }
  }

  private void apply(MultiJvmCluster c, Action action, Integer forced, List<Integer> up,
      List<Integer> members, List<Integer> paused, List<Integer> down) {
    switch (action) {
      case CRASH, PAUSE -> {
        int i = pickPreferringHost(c, up);
        log(action.name().toLowerCase() + " " + i + describeHost(c, i));
        if (action == Action.CRASH) {
          killedPids.add(c.pid(i));
          c.crash(i);
          downSteps.put(i, 0);
        } else {
          c.pause(i);
          pausedSteps.put(i, 0);
        }
      }
      case RESUME -> {
        int i = forced != null ? forced : paused.get(rnd.nextInt(paused.size()));
        log("resume " + i);
        c.resume(i);
        pausedSteps.remove(i);
      }
      case RESTART -> {
        int i = forced != null ? forced : down.get(rnd.nextInt(down.size()));
        log("restart " + i);
        if (c.isAlive(i)) {
          killedPids.add(c.pid(i));
        }
        c.restart(i);
        c.allowExit(i);
        spawnedAt.put(i, System.nanoTime());
        downSteps.remove(i);
      }
      case PARTITION -> {
        int groups = members.size() >= 3 && rnd.nextBoolean() ? 3 : 2;
        var shuffled = new ArrayList<>(members);
        java.util.Collections.shuffle(shuffled, rnd);
        var sets = new ArrayList<Set<Integer>>();
        for (int g = 0; g < groups; g++) {
          sets.add(new HashSet<>(List.of(shuffled.get(g)))); // every group non-empty
        }
        for (int k = groups; k < shuffled.size(); k++) {
          sets.get(rnd.nextInt(groups)).add(shuffled.get(k));
        }
        var joining = up.stream().filter(i -> !members.contains(i)).toList();
        log("partition " + sets + (members.size() == N ? ""
            : " (not in any group: paused " + paused + ", down " + down + ", joining " + joining
                + ")"));
        partitionSteps = 0;
        @SuppressWarnings({"unchecked", "rawtypes"})
        Set<Integer>[] arr = sets.toArray(new Set[0]);
        c.partition(arr);
      }
      case HEAL -> {
        log("heal");
        c.heal();
        partitionSteps = -1;
      }
      default -> throw new IllegalStateException(action.toString());
    }
    injected.merge(action, 1, Integer::sum);
  }

  /**
   * After {@code failure}, waits (bounded) until one of {@code aliveBefore} has exited and returns
   * those that did; rethrows {@code failure} if none does.
   */
  private static List<Integer> awaitSomeExit(MultiJvmCluster c, List<Integer> aliveBefore,
      RuntimeException failure) {
    try {
      c.awaitCondition("a node exits on its own after: " + failure, Duration.ofSeconds(20),
          () -> aliveBefore.stream().anyMatch(i -> !c.isAlive(i)));
    } catch (AssertionError notGone) {
      failure.addSuppressed(notGone);
      throw failure;
    }
    return aliveBefore.stream().filter(i -> !c.isAlive(i)).toList();
  }

  /** Half of the time the node hosting the singleton, if it is a candidate. */
  private int pickPreferringHost(MultiJvmCluster c, List<Integer> candidates) {
    boolean preferHost = rnd.nextBoolean();
    int any = candidates.get(rnd.nextInt(candidates.size()));
    if (preferHost) {
      var host = Singletons.running(c).map(SingletonStarted::node)
          .filter(candidates::contains);
      if (host.isPresent()) {
        return host.get();
      }
    }
    return any;
  }

  private static String describeHost(MultiJvmCluster c, int i) {
    return Singletons.running(c).filter(s -> s.node() == i)
        .map(s -> " (hosts token " + s.token() + ")").orElse("");
  }

  private void age(MultiJvmCluster c) {
    pausedSteps.replaceAll((k, v) -> v + 1);
    pausedSteps.keySet().removeIf(i -> !c.isPaused(i));
    downSteps.replaceAll((k, v) -> v + 1);
    for (int i = 0; i < N; i++) {
      if (!c.isAlive(i)) {
        downSteps.putIfAbsent(i, 0); // also nodes the resolver downed
      }
    }
    downSteps.keySet().removeIf(c::isAlive);
    if (partitionSteps >= 0) {
      partitionSteps++;
    }
  }

  /** {@link #recover}, then wait until all five are voters; again if a node exited meanwhile. */
  private void settle(MultiJvmCluster c) {
    for (int attempt = 1; ; attempt++) {
      recover(c);
      try {
        Singletons.awaitVoters(c, N);
        return;
      } catch (AssertionError e) {
        if (attempt == 3 || IntStream.range(0, N).allMatch(c::isAlive)) {
          throw e;
        }
        log("a node exited while waiting for " + N + " voters; recover again");
      }
    }
  }

  /**
   * Resume, heal, restart the dead; then until all five run and see each other Up, in at most four
   * rounds: a node that is not an Up member by then (it may be trying to join through nodes that
   * were themselves gone) is restarted; if no node is an Up member, the cluster is gone (every
   * member crashed or downed itself) and all nodes are restarted, node 0 first (it forms a new
   * cluster, as a full restart by an orchestrator would).
   */
  private void recover(MultiJvmCluster c) {
    for (int i = 0; i < N; i++) {
      if (c.isPaused(i)) {
        log("resume " + i);
        c.resume(i);
      }
    }
    for (int round = 1; ; round++) {
      List<Integer> aliveBefore = IntStream.range(0, N).filter(c::isAlive).boxed().toList();
      try {
        c.heal();
        for (int i = 0; i < N; i++) {
          if (!c.isAlive(i)) {
            log("restart " + i);
            c.restart(i);
            c.allowExit(i);
          }
        }
        c.awaitCondition("all " + N + " nodes run and see each other Up", Duration.ofSeconds(60),
            () -> {
              for (int i = 0; i < N; i++) {
                if (!c.isAlive(i)) {
                  throw new NodeGone(i);
                }
              }
              for (int i = 0; i < N; i++) {
                NodeStatus s = c.status(i);
                for (int j = 0; j < N; j++) {
                  if (!"Up".equals(s.members().get(c.address(j)))) {
                    return false;
                  }
                }
              }
              return true;
            });
        return;
      } catch (AssertionError | RuntimeException e) {
        if (round == 4) {
          throw e;
        }
        if (e instanceof RuntimeException r) {
          awaitSomeExit(c, aliveBefore, r);
        }
        List<Integer> members = upMembers(c);
        if (members.isEmpty()) {
          // Nodes just resumed or restarted may need a moment to answer: look again, bounded.
          try {
            c.awaitCondition("some node is an Up member", Duration.ofSeconds(10),
                () -> !upMembers(c).isEmpty());
          } catch (AssertionError none) {
            // none: the cluster is gone
          }
          members = upMembers(c);
        }
        log("recovery round " + round + " (" + e.getMessage() + "): Up members " + members);
        if (members.isEmpty()) {
          log("no cluster left: full restart, node 0 first");
          for (int i = 0; i < N; i++) {
            if (c.isAlive(i)) {
              killedPids.add(c.pid(i));
              c.crash(i);
            }
          }
        } else {
          for (int i = 0; i < N; i++) {
            if (c.isAlive(i) && !members.contains(i)) {
              log("restart " + i + " (not an Up member)");
              killedPids.add(c.pid(i));
              c.restart(i);
              c.allowExit(i);
            }
          }
        }
      }
    }
  }

  private static List<Integer> upMembers(MultiJvmCluster c) {
    return IntStream.range(0, N).filter(i -> isUpMember(c, i)).boxed().toList();
  }

  private static boolean isUpMember(MultiJvmCluster c, int i) {
    try {
      return c.isAlive(i) && "Up".equals(c.status(i).selfStatus());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void add(List<Action> choices, Action a, int weight) {
    for (int k = 0; k < weight; k++) {
      choices.add(a);
    }
  }

  private void log(String what) {
    System.out.printf("CHAOS %+8.3f s %s%n", (System.nanoTime() - t0) / 1e9, what);
  }
}
