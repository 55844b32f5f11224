package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.regent.singleton.InstanceRecorder.Incarnation;
import dev.regent.singleton.internal.SingletonManager;
import dev.regent.singleton.internal.SingletonPaths;
import dev.regent.toolkit.fencing.FencedStore;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three ActorSystems in this JVM on loopback Artery TCP, Java serialization off: the singleton's
 * manager and proxy over real remoting, with the {@link InJvmElection} stand-in deciding who
 * leads (exactly controlled timing). SingletonRegentElectionTest runs the same scenarios with the
 * real election and measures them.
 */
class SingletonClusterTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NAME = "test";

  @TempDir
  Path stateRoot;

  private InJvmElection election;
  private InJvmCluster cluster;
  private final InstanceRecorder recorder = new InstanceRecorder();

  @BeforeEach
  void setUp() {
    election = new InJvmElection();
    cluster = new InJvmCluster(stateRoot, Optional.of(election), ConfigFactory.empty());
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private ActorRef<TestSingleton.Command> init(ActorSystem<?> system) {
    return ClusterSingleton.get(system).init(TestSingleton.actor(recorder, NAME));
  }

  private TestSingleton.Pong ping(ActorSystem<?> via, ActorRef<TestSingleton.Command> proxy,
      String text) throws Exception {
    return AskPattern.<TestSingleton.Command, TestSingleton.Pong>ask(proxy,
            replyTo -> new TestSingleton.Ping(text, replyTo), Duration.ofSeconds(10),
            via.scheduler())
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  @Test
  void exactlyOneInstanceThenFailoverAfterCrashWithLargerToken() {
    List<ActorSystem<Void>> nodes = cluster.startUp(3);
    nodes.forEach(this::init);
    Incarnation first = recorder.awaitOneRunning(WAIT);
    assertEquals(1, recorder.incarnations().size());

    ActorSystem<Void> leader = cluster.byName(first.node());
    leader.terminate();
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    assertTrue(next.token() > first.token(), recorder.toString());
    recorder.assertNoOverlap();
  }

  /**
   * Direct routing over real remoting: after the first messages through the leader's manager, a
   * follower's proxy sends straight to the incarnation, at most once and at least once alike, and
   * in at-least-once mode every message is confirmed.
   */
  @Test
  void proxiesSendStraightToTheRunningIncarnationInBothModes() throws Exception {
    List<ActorSystem<Void>> nodes = cluster.startUp(3);
    List<ActorRef<TestSingleton.Command>> proxies = nodes.stream()
        .map(s -> ClusterSingleton.get(s).init(TestSingleton.actor(recorder, NAME)
            .withSettings(ClusterSingletonSettings.create(s)
                .withDelivery(s == nodes.get(0) ? DeliveryMode.AT_MOST_ONCE
                    : DeliveryMode.AT_LEAST_ONCE))))
        .toList();
    Incarnation first = recorder.awaitOneRunning(WAIT);
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) == cluster.byName(first.node())) {
        continue;
      }
      ActorSystem<Void> via = nodes.get(i);
      for (int n = 0; n < 20; n++) {
        assertEquals(first.token(), ping(via, proxies.get(i), "direct-" + i + "-" + n).token());
      }
      SingletonStats stats = ClusterSingleton.get(via).stats(NAME).orElseThrow();
      assertTrue(stats.proxyDirectSends() > 0, "node " + i + ": " + stats);
      Await.until(WAIT, () -> " (" + stats + ")",
          () -> stats.proxyUnconfirmed() == 0);
    }
  }

  @Test
  void gracefulShutdownOfLeaderHandsOverWithoutOverlap() throws Exception {
    List<ActorSystem<Void>> nodes = cluster.startUp(3);
    nodes.forEach(this::init);
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    CoordinatedShutdown.get(leader).run(CoordinatedShutdown.unknownReason());
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    assertTrue(next.token() > first.token());
    leader.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    recorder.assertNoOverlap();
  }

  @Test
  void clusterLeaveOfLeaderHandsOverWithoutOverlap() {
    List<ActorSystem<Void>> nodes = cluster.startUp(3);
    nodes.forEach(this::init);
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    Cluster.get(leader).manager().tell(
        org.apache.pekko.cluster.typed.Leave.create(Cluster.get(leader).selfMember().address()));
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    assertTrue(next.token() > first.token());
    recorder.assertNoOverlap();
  }

  @Test
  void nodesWithoutTheRoleRunOnlyAProxy() throws Exception {
    var voter = ConfigFactory.parseString("""
        pekko.cluster.roles = [voter]
        regent.election.voter-role = voter
        """);
    var other = ConfigFactory.parseString("regent.election.voter-role = voter");
    List<ActorSystem<Void>> nodes = List.of(cluster.start(voter), cluster.start(voter),
        cluster.start(other));
    cluster.awaitAllUp();
    List<ActorRef<TestSingleton.Command>> proxies = nodes.stream()
        .map(s -> ClusterSingleton.get(s).init(TestSingleton.actor(recorder, NAME)
            .withSettings(ClusterSingletonSettings.create(s).withRole("voter"))))
        .toList();
    Incarnation first = recorder.awaitOneRunning(WAIT);
    TestSingleton.Pong pong = ping(nodes.get(2), proxies.get(2), "from a non-voter");
    assertEquals(first.token(), pong.token());
    // No manager on the node without the role: watching its path ends at once.
    TestProbe<Object> probe = TestProbe.create(nodes.get(2));
    ActorRef<SingletonManager.Command> absent = SingletonPaths.manager(nodes.get(2),
        Cluster.get(nodes.get(2)).selfMember().address(), NAME);
    probe.expectTerminated(absent, Duration.ofSeconds(5));
    assertEquals(0, ClusterSingleton.get(nodes.get(2)).stats(NAME).orElseThrow()
        .instancesStarted());
  }

  @Test
  void messagesThroughEveryProxyReachTheSingleton() throws Exception {
    List<ActorSystem<Void>> nodes = cluster.startUp(3);
    List<ActorRef<TestSingleton.Command>> proxies = nodes.stream().map(this::init).toList();
    Incarnation first = recorder.awaitOneRunning(WAIT);
    for (int i = 0; i < nodes.size(); i++) {
      TestSingleton.Pong pong = ping(nodes.get(i), proxies.get(i), "via-" + i);
      assertEquals(first.token(), pong.token());
      assertEquals(first.node(), pong.node());
    }
    // init is idempotent per name, as in Pekko.
    assertEquals(proxies.get(0), init(nodes.get(0)));
  }

  @Test
  void proxyBuffersWhileNoLeaderDropsOldestBeyondBoundAndDeliversToNext() {
    election.autoFailover(false);
    List<ActorSystem<Void>> nodes = cluster.startUp(3);
    int bound = 10;
    List<ActorRef<TestSingleton.Command>> proxies = nodes.stream()
        .map(s -> ClusterSingleton.get(s).init(TestSingleton.actor(recorder, NAME)
            .withSettings(ClusterSingletonSettings.create(s).withBufferSize(bound))))
        .toList();
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    int via = indexOf(nodes, nodes.stream().filter(s -> s != leader).findFirst().get());
    ActorSystem<Void> survivor = nodes.get(via);

    leader.terminate();
    // Wait until the survivor's own election view says no leader is known.
    Await.until(WAIT, () -> " leader gone: " + election + " " + recorder,
        () -> election.leader().isEmpty()
        && recorder.theRunning().isEmpty());
    Await.until(WAIT, () -> " LeaderLost at " + InJvmCluster.nodeName(survivor) + ": " + election,
        () -> electionViewOf(survivor)
        .leader().isEmpty());
    for (int i = 1; i <= 15; i++) {
      proxies.get(via).tell(new TestSingleton.Note("n" + i));
    }
    SingletonStats stats = ClusterSingleton.get(survivor).stats(NAME).orElseThrow();
    Await.until(WAIT, () -> " (" + stats + ")",
        () -> stats.proxyBuffered() == bound && stats.proxyDroppedCount() == 5);
    assertTrue(recorder.received().isEmpty());

    election.elect(nodeOf(survivor));
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    Await.until(WAIT, () -> " (received " + recorder.received() + ")",
        () -> recorder.received().size() == bound);
    List<String> texts = recorder.received().stream().map(InstanceRecorder.Received::text)
        .toList();
    assertEquals(IntStream.rangeClosed(6, 15).mapToObj(i -> "n" + i).toList(), texts);
    assertTrue(recorder.received().stream().allMatch(r -> r.token() == next.token()));
    assertEquals(0, stats.proxyBuffered());
    recorder.assertNoOverlap();
  }

  @Test
  void deposedInstanceWritesAreRejectedByTheFencedStore() {
    var store = new FencedStore();
    List<ActorSystem<Void>> nodes = cluster.startUp(3);
    List<ActorRef<String>> proxies = nodes.stream().map(s -> ClusterSingleton.get(s).init(
        SingletonActor.<String>ofFenced(ctx -> Behaviors.receive(String.class)
            .onAnyMessage(key -> {
              store.increment(ctx.fencingToken(), key, 1);
              return Behaviors.same();
            }).build(), "writer"))).toList();
    // Strings cross nodes with Pekko's built-in primitive serializer.
    FencingToken oldToken = writeThrough(proxies.get(0), store, 1);
    String oldLeader = election.leader().orElseThrow().id.name();

    cluster.byName(oldLeader).terminate();
    Await.until(WAIT, "a new leader", () -> election.leader().isPresent()
        && election.term() > oldToken.value());
    ActorRef<String> liveProxy = proxies.get(indexOf(nodes, cluster.live().get(0)));
    FencingToken newToken = writeThrough(liveProxy, store, 2);
    assertTrue(oldToken.isOlderThan(newToken), store.history().toString());

    // The deposed incarnation wakes from its "pause" still holding its old token.
    assertEquals(Optional.empty(), store.increment(oldToken, "k", 100));
    assertEquals(Optional.of(2L), store.get("k"));
    assertEquals(1, store.rejected().size());
  }

  /** Sends "k" until the store has {@code expected} (a send may race a failover); the token. */
  private FencingToken writeThrough(ActorRef<String> proxy, FencedStore store, long expected) {
    proxy.tell("k");
    Await.until(WAIT, () -> " (store " + store.history() + ")",
        () -> store.get("k").orElse(0L) == expected);
    return store.highestToken().orElseThrow();
  }

  private InJvmElection.Node nodeOf(ActorSystem<?> system) {
    return election.nodeFor(InJvmCluster.nodeName(system));
  }

  private dev.regent.toolkit.leadership.Leadership electionViewOf(ActorSystem<?> system) {
    return nodeOf(system).current();
  }

  /** By identity: ActorSystems with the same name are equal(). */
  private static int indexOf(List<? extends ActorSystem<?>> systems, ActorSystem<?> system) {
    for (int i = 0; i < systems.size(); i++) {
      if (systems.get(i) == system) {
        return i;
      }
    }
    throw new AssertionError("not in the list: " + system);
  }
}
