package dev.regent.multijvm;

import static dev.regent.multijvm.FailureSuiteTest.check;
import static dev.regent.multijvm.FailureSuiteTest.lastFaultNanos;
import static dev.regent.multijvm.Singletons.awaitFirst;
import static dev.regent.multijvm.Singletons.awaitNewer;
import static dev.regent.multijvm.Singletons.millisBetween;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.HistoryChecker;
import dev.regent.multijvm.harness.HistoryEvent.FaultKind;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStopped;
import dev.regent.multijvm.harness.HistoryEvent.SingletonSuspended;
import dev.regent.multijvm.harness.HistoryEvent.WriteAttempt;
import dev.regent.multijvm.harness.LinkImpairment;
import dev.regent.multijvm.harness.MultiJvmCluster;
import dev.regent.multijvm.harness.NetworkBackend;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The failure suite on the namespace backend ({@link NetworkBackend#NETNS}): every node JVM in its
 * own network namespace with its own address, faults made by the kernel (packet filters, the
 * delayer on a netfilter queue, a link taken down at the bridge). Each test injects one fault,
 * waits for the singleton to move, prints {@code MEASURED netns <fault>: fault -> new singleton
 * <ms>} and runs the suite's history checker (S1-S4, L1) over the whole history.
 *
 * <p>Scenarios chosen for CI's time budget (about 4 minutes with {@link NetnsChaosTest}): three
 * nodes everywhere except the 3|2 partition. Loss and delay alone do not move the singleton (that
 * is the point: measured, not assumed); under them the leader is crashed and the failover is
 * measured on the impaired network.
 *
 * <p>Needs root, iproute2, iptables and python3. Without them the tests are skipped with the
 * reason, except when the environment variable {@code CI} is {@code true} ({@code .ci/run} sets
 * it): there a missing prerequisite fails the build, so CI cannot skip them silently.
 */
class NetnsFailureSuiteTest {

  private static final Duration UP = Duration.ofSeconds(90);

  @BeforeAll
  static void requireNamespaces() {
    requireNetns();
  }

  /** Skips (or, with {@code CI=true}, fails) when the namespace backend cannot run here. */
  static void requireNetns() {
    NetworkBackend.NETNS.unavailableReason().ifPresent(why -> {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail("CI=true, but the network-namespace tests cannot run: " + why);
      }
      Assumptions.abort("network-namespace tests skipped: " + why);
    });
  }

  private static MultiJvmCluster cluster(TestInfo info, int n) {
    return MultiJvmCluster.builder("netns-" + info.getTestMethod().orElseThrow().getName())
        .nodes(n).setup(FencedCounterSetup.class).config(FencedCounterSetup.CONFIG)
        .network(NetworkBackend.NETNS).start();
  }

  /**
   * Waits (at most the checker's liveness bound, 15 s, from now) until a singleton is active, not
   * suspended, then runs the suite's checker. Without the wait a test that ends right after its
   * last fault (a heal, clearing an impairment) is judged at an instant where a lease may just have
   * lapsed (seen with 50 +- 20 ms on a machine at load 36): that would fail L1 for a lapse the
   * singleton recovers from by itself.
   */
  private static void settleAndCheck(MultiJvmCluster c) {
    c.awaitCondition("a singleton active after the last fault (L1 at this instant)",
        Duration.ofSeconds(15), () -> HistoryChecker.defaults().allowSameTermRestart(true)
            .check(c.history()).violations().stream().noneMatch(v -> v.property().equals("L1")));
    check(c.history());
  }

  private static void measured(String fault, long fromNanos, SingletonStarted next) {
    System.out.println("MEASURED netns " + fault + ": fault -> new singleton "
        + millisBetween(fromNanos, next.nanos()) + " ms");
  }

  @Test
  void leaderCrash(TestInfo info) {
    try (var c = cluster(info, 3)) {
      c.awaitAllUp(UP);
      SingletonStarted first = awaitFirst(c);
      c.crash(first.node());
      SingletonStarted next = awaitNewer(c, first);
      measured("crash", lastFaultNanos(c, FaultKind.CRASH), next);
      settleAndCheck(c);
    }
  }

  @Test
  void leaderPaused(TestInfo info) {
    try (var c = cluster(info, 3)) {
      c.awaitAllUp(UP);
      SingletonStarted first = awaitFirst(c);
      c.pause(first.node());
      SingletonStarted next = awaitNewer(c, first);
      measured("pause", lastFaultNanos(c, FaultKind.PAUSE), next);
      c.awaitCondition("the new incarnation wrote to the resource", Singletons.WAIT,
          () -> c.resource().writes().stream()
              .anyMatch(w -> w.token() == next.token() && w.accepted()));
      // The resolver may have downed the paused node meanwhile: it exits once it runs again.
      c.allowExit(first.node());
      c.resume(first.node());
      c.awaitCondition("the woken old incarnation stopped", Singletons.WAIT,
          () -> c.history().of(SingletonStopped.class).stream()
              .anyMatch(s -> s.pid() == first.pid() && s.token() == first.token())
              || !c.isAlive(first.node()));
      long resumed = lastFaultNanos(c, FaultKind.RESUME);
      var stale = c.history().of(WriteAttempt.class).stream()
          .filter(w -> w.pid() == first.pid() && w.nanos() > resumed).toList();
      assertTrue(stale.stream().noneMatch(WriteAttempt::accepted), stale.toString());
      settleAndCheck(c);
    }
  }

  /** 3|2 with the leader in the minority: the majority's resolver downs the minority. */
  @Test
  void partitionThreeTwo(TestInfo info) {
    try (var c = cluster(info, 5)) {
      c.awaitAllUp(UP);
      SingletonStarted first = awaitFirst(c);
      Set<Integer> minority = Set.of(first.node(), (first.node() + 1) % 5);
      Set<Integer> majority = IntStream.range(0, 5).filter(i -> !minority.contains(i)).boxed()
          .collect(Collectors.toSet());
      minority.forEach(c::allowExit);
      c.partition(minority, majority);
      SingletonStarted next = awaitNewer(c, first);
      assertTrue(majority.contains(next.node()), "new singleton on the majority side: " + next);
      measured("3|2 partition", lastFaultNanos(c, FaultKind.PARTITION), next);
      c.awaitCondition("the old incarnation in the minority stopped", Singletons.WAIT,
          () -> c.history().of(SingletonStopped.class).stream()
              .anyMatch(s -> s.pid() == first.pid()) || !c.isAlive(first.node()));
      c.heal();
      settleAndCheck(c);
    }
  }

  /**
   * Everything the leader sends is dropped; it still receives. On TCP this is no one-way channel:
   * the leader's acknowledgements and SYN-ACKs are dropped too, so no new connection to or from it
   * opens and open ones stall (docs/MULTI-JVM.md).
   */
  @Test
  void oneWayPartitionFromTheLeader(TestInfo info) {
    try (var c = cluster(info, 3)) {
      c.awaitAllUp(UP);
      SingletonStarted first = awaitFirst(c);
      int leader = first.node();
      Set<Integer> others = IntStream.range(0, 3).filter(i -> i != leader).boxed()
          .collect(Collectors.toSet());
      c.allowExit(leader);
      c.partitionOneWay(Set.of(leader), others);
      SingletonStarted next = awaitNewer(c, first);
      measured("one-way partition (leader's packets dropped)", lastFaultNanos(c, FaultKind.ONE_WAY),
          next);
      c.awaitCondition("the old incarnation stopped", Singletons.WAIT,
          () -> c.history().of(SingletonStopped.class).stream()
              .anyMatch(s -> s.pid() == first.pid()) || !c.isAlive(leader));
      c.heal();
      settleAndCheck(c);
    }
  }

  @Test
  void leaderLinkDown(TestInfo info) {
    try (var c = cluster(info, 3)) {
      c.awaitAllUp(UP);
      SingletonStarted first = awaitFirst(c);
      c.allowExit(first.node());
      c.linkDown(first.node());
      SingletonStarted next = awaitNewer(c, first);
      measured("link down", lastFaultNanos(c, FaultKind.LINK_DOWN), next);
      c.awaitCondition("the old incarnation stopped", Singletons.WAIT,
          () -> c.history().of(SingletonStopped.class).stream()
              .anyMatch(s -> s.pid() == first.pid()) || !c.isAlive(first.node()));
      c.linkUp(first.node());
      settleAndCheck(c);
    }
  }

  @Test
  void fivePercentLossThenLeaderCrash(TestInfo info) {
    impairedThenCrash(info, "5% loss", LinkImpairment.loss(5));
  }

  @Test
  void delay50Jitter20ThenLeaderCrash(TestInfo info) {
    impairedThenCrash(info, "delay 50+-20 ms",
        LinkImpairment.delay(Duration.ofMillis(50), Duration.ofMillis(20)));
  }

  /**
   * Watches the healthy cluster for 5 s, impairs every link, watches it again for 5 s (how many
   * incarnations started and how often the singleton was suspended in each window is printed, not
   * asserted: a lease of 500 ms over a lossy link may lapse, and on this loaded machine leases lapse
   * without any fault too, hence the healthy window as the baseline), then crashes the current
   * leader and measures the failover on the impaired network.
   */
  private static void impairedThenCrash(TestInfo info, String what, LinkImpairment imp) {
    try (var c = cluster(info, 3)) {
      c.awaitAllUp(UP);
      awaitFirst(c);
      Duration window = Duration.ofSeconds(5);
      String healthy = observe(c, window, "the healthy cluster");
      c.impairAll(imp);
      String impaired = observe(c, window, "the impaired cluster");
      System.out.println("MEASURED netns " + what + ": in " + window.toSeconds() + " s healthy: "
          + healthy + "; in " + window.toSeconds() + " s impaired: " + impaired);
      SingletonStarted current = Singletons.awaitRunning(c, "a singleton runs on the impaired"
          + " network", s -> true);
      c.crash(current.node());
      SingletonStarted next = awaitNewer(c, current);
      measured(what + " + leader crash", lastFaultNanos(c, FaultKind.CRASH), next);
      c.clearImpairments();
      settleAndCheck(c);
    }
  }

  /** Watches for {@code window}; what happened to the singleton meanwhile. */
  private static String observe(MultiJvmCluster c, Duration window, String what) {
    long from = System.nanoTime();
    c.assertDuring("observing " + what, window, () -> true);
    var h = c.history();
    long starts = h.of(SingletonStarted.class).stream().filter(s -> s.nanos() > from).count();
    long suspended = h.of(SingletonSuspended.class).stream().filter(s -> s.nanos() > from).count();
    return starts + " incarnation(s) started, " + suspended + " suspension(s)";
  }
}
