package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.regent.singleton.InstanceRecorder.Incarnation;
import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.fencing.FencedStore;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.internal.shell.ElectionRuntime;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.Blackhole;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acceptance suite: three ActorSystems in this JVM on loopback Artery TCP with the real
 * RegentElection (defaults: heartbeat 100 ms, election timeout 700-1000 ms, lease 500 ms), Java
 * serialization off. A "crash" is {@code terminate()} without CoordinatedShutdown: the election
 * actor and the singleton die with the system and the others hear nothing more.
 */
class SingletonRegentElectionTest {

  private static final Logger LOG = LoggerFactory.getLogger(SingletonRegentElectionTest.class);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NAME = "test";

  @TempDir
  Path stateRoot;

  private InJvmCluster cluster;
  private final InstanceRecorder recorder = new InstanceRecorder();

  @BeforeEach
  void setUp() {
    cluster = new InJvmCluster(stateRoot, Optional.empty(), ConfigFactory.empty());
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private List<ActorSystem<Void>> form(int n) {
    List<ActorSystem<Void>> nodes = cluster.startUp(n);
    cluster.awaitVoters();
    cluster.awaitAgreedLeader();
    return nodes;
  }

  private ActorRef<TestSingleton.Command> init(ActorSystem<?> system) {
    return ClusterSingleton.get(system).init(TestSingleton.actor(recorder, NAME));
  }

  private static Leadership view(ActorSystem<?> s) {
    return RegentElection.get(s).current();
  }

  @Test
  void exactlyOneInstanceThenFailoverAfterCrashWithLargerToken() {
    List<ActorSystem<Void>> nodes = form(3);
    nodes.forEach(this::init);
    Incarnation first = recorder.awaitOneRunning(WAIT);
    // It runs where the election says: on the node holding the lease, with its term as token.
    ActorSystem<Void> leader = cluster.byName(first.node());
    assertTrue(view(leader).holdsLease());
    assertEquals(view(leader).term(), first.token());

    leader.terminate();
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    assertTrue(next.token() > first.token(), recorder.toString());
    assertEquals(1, recorder.running().size());
    recorder.assertNoOverlap();
  }

  /** Metrics see where the singleton runs and how long the failover to a new instance took. */
  @Test
  void metricsShowWhereTheSingletonRunsAndTheFailoverToIt() throws Exception {
    List<ActorSystem<Void>> nodes = form(3);
    nodes.forEach(this::init);
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    var jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
    var leaderMetrics = RegentElection.get(leader).metrics();
    Await.until(WAIT, () -> " (running here " + leaderMetrics.singletonsRunningHere() + ")",
        () -> Long.valueOf(first.token()).equals(leaderMetrics.singletonsRunningHere().get(NAME)));
    assertEquals(NAME + "=" + first.token(),
        jmx.getAttribute(leaderMetrics.objectName(), "SingletonsRunningHere"));
    assertEquals(1L, jmx.getAttribute(leaderMetrics.objectName(), "SingletonInstancesStarted"));

    leader.terminate();
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    var nextMetrics = RegentElection.get(cluster.byName(next.node())).metrics();
    Await.until(WAIT, () -> " (next host " + nextMetrics.singletonsRunningHere() + ")",
        () -> nextMetrics.lastSingletonFailoverNanos() > 0);
    long ms = (Long) jmx.getAttribute(nextMetrics.objectName(), "LastSingletonFailoverMillis");
    long leaderMs = (Long) jmx.getAttribute(nextMetrics.objectName(), "LastFailoverMillis");
    assertTrue(ms >= leaderMs && ms < 10_000, "to singleton " + ms + " ms, to leader " + leaderMs);
    recorder.assertNoOverlap();
  }

  /**
   * The leader is cut off from both followers but keeps running: nobody tells it to stop, so its
   * manager must stop the instance on its own before its lease ends, and before the followers can
   * elect a new leader. After the heal it learns of the new leader and does not start again.
   */
  @Test
  void isolatedLeaderStopsItsInstanceBeforeTheNewOneStarts() {
    List<ActorSystem<Void>> nodes = form(3);
    nodes.forEach(this::init);
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    List<ActorSystem<Void>> others = nodes.stream().filter(s -> s != leader).toList();
    others.forEach(s -> Blackhole.cut(leader, s));
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    Incarnation old = recorder.incarnations().get(first.id());
    assertTrue(old.stopNanos().isPresent(), "the isolated instance stopped: " + recorder);
    assertTrue(next.token() > first.token());
    recorder.assertNoOverlap();

    others.forEach(s -> Blackhole.heal(leader, s));
    Await.until(WAIT, () -> " (old leader's view " + view(leader) + ")",
        () -> view(leader).leader().map(l -> !l.equals(view(leader).self())).orElse(false));
    assertEquals(List.of(next), recorder.running());
    recorder.assertNoOverlap();
  }

  @Test
  void gracefulShutdownOfLeaderHandsOverWithoutOverlap() throws Exception {
    List<ActorSystem<Void>> nodes = form(3);
    nodes.forEach(this::init);
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    CoordinatedShutdown.get(leader).run(CoordinatedShutdown.unknownReason());
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    assertTrue(next.token() > first.token());
    leader.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    recorder.assertNoOverlap();
  }

  /**
   * {@code transferLeadership} on the leader: the next leader takes its lease at once (the
   * hand-over exempts voters from their promise), so the old instance must be gone before this
   * node steps down. This singleton ignores its stop message and is only stopped hard after
   * {@code stop-timeout}: without the hand-over task, the new instance would start while it runs.
   */
  @Test
  void transferLeadershipStopsTheInstanceBeforeTheNextLeaderStartsOne() throws Exception {
    List<ActorSystem<Void>> nodes = form(3);
    nodes.forEach(n -> ClusterSingleton.get(n).init(
        SingletonActor.ofFenced(ctx -> slowToStop(ctx, recorder), NAME)
            .withStopMessage(new TestSingleton.Stop())));
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    RegentElection.get(leader).transferLeadership(Duration.ofSeconds(10))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    assertTrue(next.token() > first.token(), recorder.toString());
    recorder.assertNoOverlap();
  }

  private static org.apache.pekko.actor.typed.Behavior<TestSingleton.Command> slowToStop(
      SingletonContext ctx, InstanceRecorder recorder) {
    int id = recorder.started(ctx.node().name(), ctx.fencingToken().value());
    return Behaviors.receive(TestSingleton.Command.class)
        .onMessage(TestSingleton.Stop.class, s -> Behaviors.same())
        .onSignal(org.apache.pekko.actor.typed.PostStop.class, s -> {
          recorder.stopped(id);
          return Behaviors.same();
        })
        .build();
  }

  @Test
  void clusterLeaveOfLeaderHandsOverWithoutOverlap() {
    List<ActorSystem<Void>> nodes = form(3);
    nodes.forEach(this::init);
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    Cluster.get(leader).manager().tell(Leave.create(Cluster.get(leader).selfMember().address()));
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    assertTrue(next.token() > first.token());
    recorder.assertNoOverlap();
  }

  /** Only voters (the role) are elected and run a manager; the others reach it by proxy. */
  @Test
  void singletonRunsOnlyOnVotersAndNonVotersReachItByProxy() throws Exception {
    var voter = ConfigFactory.parseString("""
        pekko.cluster.roles = [voter]
        regent.election.voter-role = voter
        """);
    var other = ConfigFactory.parseString("regent.election.voter-role = voter");
    // Three voters, so that one may crash and a quorum remains; node 3 has no role.
    List<ActorSystem<Void>> nodes = List.of(cluster.start(voter), cluster.start(voter),
        cluster.start(voter), cluster.start(other));
    cluster.awaitAllUp();
    Await.until(WAIT, "three voters on every voter", () -> nodes.subList(0, 3).stream().allMatch(
        s -> ElectionRuntime.get(s).voterConfig().voters().size() == 3));
    List<ActorRef<TestSingleton.Command>> proxies = nodes.stream()
        .map(s -> ClusterSingleton.get(s).init(TestSingleton.actor(recorder, NAME)
            .withSettings(ClusterSingletonSettings.create(s).withRole("voter"))))
        .toList();
    Incarnation first = recorder.awaitOneRunning(WAIT);
    assertTrue(!first.node().equals(InJvmCluster.nodeName(nodes.get(3))), first.toString());
    // RegentElection heartbeats voters only: the non-voter's proxy buffers until the leader's
    // manager announces itself (at start and every announce-interval).
    TestSingleton.Pong pong = AskPattern.<TestSingleton.Command, TestSingleton.Pong>ask(
            proxies.get(3), replyTo -> new TestSingleton.Ping("non-voter", replyTo),
            Duration.ofSeconds(10), nodes.get(3).scheduler())
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
    assertEquals(first.token(), pong.token());
    assertEquals(0, ClusterSingleton.get(nodes.get(3)).stats(NAME).orElseThrow()
        .instancesStarted());

    // The leader crashes: the non-voter gives up on it after three silent intervals and buffers,
    // then finds the next instance from its announcement.
    ActorSystem<Void> leader = cluster.byName(first.node());
    leader.terminate();
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    // A ping that races the new instance's first announcement may still go to the dead leader
    // (at most once): ask until one is answered, bounded.
    TestSingleton.Pong again = null;
    for (int attempt = 0; attempt < 5 && again == null; attempt++) {
      try {
        again = AskPattern.<TestSingleton.Command, TestSingleton.Pong>ask(proxies.get(3),
                replyTo -> new TestSingleton.Ping("non-voter again", replyTo),
                Duration.ofSeconds(3), nodes.get(3).scheduler())
            .toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException lost) {
        LOG.info("ping after failover lost, asking again: {}", lost.getCause().toString());
      }
    }
    assertTrue(again != null, "no answer through the non-voter's proxy after failover");
    assertEquals(next.token(), again.token());
    recorder.assertNoOverlap();
  }

  @Test
  void messagesThroughEveryProxyReachTheSingleton() throws Exception {
    List<ActorSystem<Void>> nodes = form(3);
    List<ActorRef<TestSingleton.Command>> proxies = nodes.stream().map(this::init).toList();
    Incarnation first = recorder.awaitOneRunning(WAIT);
    for (int i = 0; i < nodes.size(); i++) {
      ActorSystem<Void> via = nodes.get(i);
      ActorRef<TestSingleton.Command> proxy = proxies.get(i);
      String text = "via-" + i;
      TestSingleton.Pong pong = AskPattern.<TestSingleton.Command, TestSingleton.Pong>ask(proxy,
              replyTo -> new TestSingleton.Ping(text, replyTo), Duration.ofSeconds(10),
              via.scheduler())
          .toCompletableFuture().get(15, TimeUnit.SECONDS);
      assertEquals(new TestSingleton.Pong(text, first.token(), first.node()), pong);
    }
  }

  /**
   * The two followers are cut from each other, then the leader crashes: neither has a quorum, so
   * both know no leader for as long as the test wants. One follower's proxy buffers (dropping the
   * oldest beyond the bound, counted), and delivers to the instance elected after the heal.
   */
  @Test
  void proxyBuffersWhileNoLeaderDropsOldestBeyondBoundAndDeliversToNext() {
    List<ActorSystem<Void>> nodes = form(3);
    int bound = 10;
    List<ActorRef<TestSingleton.Command>> proxies = nodes.stream()
        .map(s -> ClusterSingleton.get(s).init(TestSingleton.actor(recorder, NAME)
            .withSettings(ClusterSingletonSettings.create(s).withBufferSize(bound))))
        .toList();
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    List<Integer> followers = IntStream.range(0, 3).filter(i -> nodes.get(i) != leader).boxed()
        .toList();
    ActorSystem<Void> b = nodes.get(followers.get(0));
    ActorSystem<Void> c = nodes.get(followers.get(1));
    ActorRef<TestSingleton.Command> proxy = proxies.get(followers.get(0));

    Blackhole.cut(b, c);
    leader.terminate();
    Await.until(WAIT, () -> " (views " + view(b) + " / " + view(c) + ")",
        () -> view(b).leader().isEmpty() && view(c).leader().isEmpty());
    SingletonStats stats = ClusterSingleton.get(b).stats(NAME).orElseThrow();
    // The election's view shows no leader before its LeaderLost event reaches the proxy; a note
    // sent in between still takes the old route (to the stopped leader's node) and is lost, as at
    // most once allows. So n1 goes again until the proxy has buffered it: from then on the proxy
    // knows there is no leader. (Each try gets a second to be processed, so n1 is buffered once.)
    Await.eventually(WAIT, Duration.ofSeconds(1), "the proxy buffering n1 (" + stats + ")", () -> {
      if (stats.proxyBuffered() > 0) {
        return true;
      }
      proxy.tell(new TestSingleton.Note("n1"));
      return false;
    });
    for (int i = 2; i <= 15; i++) {
      proxy.tell(new TestSingleton.Note("n" + i));
    }
    Await.until(WAIT, () -> " (" + stats + ")",
        () -> stats.proxyBuffered() == bound && stats.proxyDroppedCount() == 5);
    assertTrue(recorder.received().isEmpty());
    assertTrue(view(b).leader().isEmpty(), "still no leader: " + view(b));
    // The same numbers in b's metrics (JMX: ProxyBuffered, ProxyDropped).
    var metrics = RegentElection.get(b).metrics();
    assertEquals(bound, metrics.proxyBuffered());
    assertEquals(5, metrics.proxyDropped());

    Blackhole.heal(b, c);
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    Await.until(WAIT, () -> " (received " + recorder.received() + ")",
        () -> recorder.received().size() == bound);
    assertEquals(IntStream.rangeClosed(6, 15).mapToObj(i -> "n" + i).toList(),
        recorder.received().stream().map(InstanceRecorder.Received::text).toList());
    assertTrue(recorder.received().stream().allMatch(r -> r.token() == next.token()));
    recorder.assertNoOverlap();
  }

  @Test
  void deposedInstanceWritesAreRejectedByTheFencedStore() {
    var store = new FencedStore();
    List<ActorSystem<Void>> nodes = form(3);
    List<ActorRef<String>> proxies = nodes.stream().map(s -> ClusterSingleton.get(s).init(
        SingletonActor.<String>ofFenced(ctx -> Behaviors.receive(String.class)
            .onAnyMessage(key -> {
              store.increment(ctx.fencingToken(), key, 1);
              return Behaviors.same();
            }).build(), "writer"))).toList();
    // Strings cross nodes with Pekko's built-in primitive serializer.
    FencingToken oldToken = writeThrough(proxies.get(0), store, 1);
    ActorSystem<Void> oldLeader = nodes.stream()
        .filter(s -> view(s).holdsLease() && view(s).term() == oldToken.value()).findFirst()
        .orElseThrow();

    oldLeader.terminate();
    int live = IntStream.range(0, 3).filter(i -> nodes.get(i) != oldLeader).findFirst()
        .orElseThrow();
    FencingToken newToken = writeThroughUntilAccepted(proxies.get(live), store, oldToken);
    assertTrue(oldToken.isOlderThan(newToken), store.history().toString());

    // The deposed incarnation wakes from its "pause" still holding its old token.
    assertEquals(Optional.empty(), store.increment(oldToken, "k", 100));
    assertTrue(store.rejected().stream().allMatch(w -> w.token().equals(oldToken)));
    assertEquals(1, store.rejected().size());
  }

  private FencingToken writeThrough(ActorRef<String> proxy, FencedStore store, long expected) {
    proxy.tell("k");
    Await.until(WAIT, () -> " (store " + store.history() + ")",
        () -> store.get("k").orElse(0L) == expected);
    return store.highestToken().orElseThrow();
  }

  /** Writes through the proxy until a write with a token above {@code old} lands. */
  private FencingToken writeThroughUntilAccepted(ActorRef<String> proxy, FencedStore store,
      FencingToken old) {
    // Writes sent into the failover window may be lost (at most once): keep writing, bounded.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (store.highestToken().orElseThrow().value() <= old.value()) {
      assertTrue(System.nanoTime() - deadline < 0, "no write from a new incarnation");
      int before = store.history().size();
      proxy.tell("k");
      try {
        Await.until(Duration.ofMillis(500), "write", () -> store.history().size() > before);
      } catch (AssertionError lostInFailover) {
        // The message went to the old leader or is buffered; try again.
      }
    }
    return store.highestToken().orElseThrow();
  }

  /** How the leader goes away in a measured run. */
  private enum Removal {
    /** {@code terminate()} without CoordinatedShutdown. */
    CRASH,
    /** Cut from every peer (Artery blackhole), then terminated: silent at once, like SIGKILL. */
    ISOLATE,
    /** CoordinatedShutdown: the singleton stops, then leadership is handed over. */
    GRACEFUL
  }

  /**
   * Crash failover and graceful handover over rolling runs: each run removes the leader, then
   * downs it, adds a fresh node and waits until the voters are the three live nodes again. Prints
   * the medians; never asserts on them: on a shared machine the timings vary with the load, so a
   * timed assertion would fail for reasons that have nothing to do with Regent.
   */
  @Test
  void measureFailoverAndHandover() {
    int runs = Integer.getInteger("regent.singleton.runs", 10);
    List<ActorSystem<Void>> nodes = form(3);
    nodes.forEach(this::init);
    var times = new java.util.EnumMap<Removal, List<Long>>(Removal.class);
    var oldStopped = new java.util.EnumMap<Removal, List<Long>>(Removal.class);
    for (Removal r : Removal.values()) {
      times.put(r, new ArrayList<>());
      oldStopped.put(r, new ArrayList<>());
    }
    for (int run = 0; run < Removal.values().length * runs; run++) {
      Removal removal = Removal.values()[run % Removal.values().length];
      Incarnation current = recorder.awaitOneRunning(WAIT);
      ActorSystem<Void> leader = cluster.byName(current.node());
      var leaderAddress = Cluster.get(leader).selfMember().address();
      long t0 = System.nanoTime();
      switch (removal) {
        case CRASH -> leader.terminate();
        case ISOLATE -> cluster.live().stream().filter(s -> s != leader)
            .forEach(s -> Blackhole.cut(leader, s));
        case GRACEFUL -> CoordinatedShutdown.get(leader).run(CoordinatedShutdown.unknownReason());
      }
      Incarnation next = recorder.awaitNewInstance(current, WAIT);
      if (removal == Removal.ISOLATE) {
        leader.terminate();
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(next.startNanos() - t0);
      times.get(removal).add(ms);
      Incarnation old = recorder.incarnations().get(current.id());
      old.stopNanos().ifPresent(
          stop -> oldStopped.get(removal).add(TimeUnit.NANOSECONDS.toMillis(stop - t0)));
      LOG.info("run {}: {} -> new instance after {} ms (old stopped after {} ms)", run, removal,
          ms, old.stopNanos().map(stop -> TimeUnit.NANOSECONDS.toMillis(stop - t0)));
      awaitTerminated(leader);
      ActorSystem<Void> survivor = cluster.live().get(0);
      Cluster.get(survivor).manager().tell(new Down(leaderAddress));
      init(cluster.start());
      cluster.awaitAllUp();
      cluster.awaitVoters();
      cluster.awaitAgreedLeader();
    }
    recorder.assertNoOverlap();
    var report = new StringBuilder(String.format(
        "singleton with RegentElection (default timings), %d in-JVM runs each, 3 nodes:", runs));
    for (Removal r : Removal.values()) {
      report.append(String.format("%n  %-8s leader removed -> new instance started: median %d ms"
              + " (all %s); old instance had stopped after median %d ms",
          r, median(times.get(r)), times.get(r), median(oldStopped.get(r))));
    }
    LOG.warn(report.toString());
    System.out.println(report);
  }

  private static void awaitTerminated(ActorSystem<?> system) {
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2);
  }
}
