package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.ConfigFactory;
import dev.regent.singleton.InstanceRecorder.Incarnation;
import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.internal.shell.ElectionActor;
import dev.regent.toolkit.internal.shell.ElectionRuntime;
import dev.regent.toolkit.leadership.LeadershipEvent.SteppedDown;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 13 scenarios 3 and 7 with the real election and three in-JVM nodes: every hand-over of a
 * leader that hosts a singleton (a requested transfer, {@code Cluster.leave}) waits for the
 * instance's termination before the successor may start early; an instance that does not stop
 * within {@code hand-over-timeout} gets no hand-over at all.
 */
class SingletonHandOverGateTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NAME = "gated";

  @TempDir
  Path stateRoot;

  private InJvmCluster cluster;
  private ListAppender<ILoggingEvent> logs;
  private final InstanceRecorder recorder = new InstanceRecorder();
  /** Node name -> when a recording hand-over task registered beside the singleton's was called. */
  private final ConcurrentHashMap<String, Long> taskCalled = new ConcurrentHashMap<>();

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
    if (logs != null) {
      actorLogger().detachAppender(logs);
    }
  }

  private static ch.qos.logback.classic.Logger actorLogger() {
    return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ElectionActor.class);
  }

  private List<ActorSystem<Void>> form(String extra) {
    cluster = new InJvmCluster(stateRoot, Optional.empty(), ConfigFactory.parseString(extra));
    List<ActorSystem<Void>> nodes = cluster.startUp(3);
    cluster.awaitVoters();
    cluster.awaitAgreedLeader();
    for (ActorSystem<Void> n : nodes) {
      String name = InJvmCluster.nodeName(n);
      RegentElection.get(n).addHandOverTask("recording-task", () -> {
        taskCalled.put(name, System.nanoTime());
        return CompletableFuture.completedFuture(Done.getInstance());
      });
    }
    return nodes;
  }

  /** Ignores its stop message: only the manager's hard stop, {@code stop-timeout} later, ends it. */
  private static Behavior<TestSingleton.Command> ignoresStop(SingletonContext ctx,
      InstanceRecorder recorder) {
    int id = recorder.started(ctx.node().name(), ctx.fencingToken().value());
    return Behaviors.receive(TestSingleton.Command.class)
        .onMessage(TestSingleton.Stop.class, s -> Behaviors.same())
        .onSignal(PostStop.class, s -> {
          recorder.stopped(id);
          return Behaviors.same();
        })
        .build();
  }

  /** Blocks its thread for {@code block} on the stop message: no stop can reach it meanwhile. */
  private static Behavior<TestSingleton.Command> blocksInStop(SingletonContext ctx,
      InstanceRecorder recorder, Duration block) {
    int id = recorder.started(ctx.node().name(), ctx.fencingToken().value());
    return Behaviors.receive(TestSingleton.Command.class)
        .onMessage(TestSingleton.Stop.class, s -> {
          Thread.sleep(block.toMillis()); // deliberately non-cooperative
          return Behaviors.stopped();
        })
        .onSignal(PostStop.class, s -> {
          recorder.stopped(id);
          return Behaviors.same();
        })
        .build();
  }

  private void initEverywhere(List<ActorSystem<Void>> nodes,
      java.util.function.Function<SingletonContext, Behavior<TestSingleton.Command>> factory) {
    nodes.forEach(n -> ClusterSingleton.get(n).init(
        SingletonActor.ofFenced(factory::apply, NAME).withStopMessage(new TestSingleton.Stop())));
  }

  private static TestProbe<LeadershipEvent> subscribed(ActorSystem<Void> leader) {
    TestProbe<LeadershipEvent> probe = TestProbe.create(leader);
    RegentElection.get(leader).subscribe(probe.ref());
    return probe;
  }

  private static SteppedDown awaitSteppedDown(TestProbe<LeadershipEvent> probe) {
    var fished = probe.fishForMessage(Duration.ofSeconds(20), e -> e instanceof SteppedDown
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    return (SteppedDown) fished.get(fished.size() - 1);
  }

  /**
   * Scenario 3: {@code Cluster.leave} of the leader, whose instance only stops when hard-stopped
   * after {@code stop-timeout}. The hand-over task is called, the next instance starts only after
   * the old one terminated, and the step-down is a TRANSFER. On the code before the gate
   * (915b1e8) the core stepped down and sent TimeoutNow in one step, the task was never called
   * and the instances overlapped:
   * <pre>
   * SingletonHandOverGateTest.clusterLeaveOfTheLeaderStopsTheInstanceBeforeTheNextStarts:158
   * the hand-over task was called on Cluster.leave ==&gt; expected: &lt;true&gt; but was: &lt;false&gt;
   * </pre>
   */
  @Test
  void clusterLeaveOfTheLeaderStopsTheInstanceBeforeTheNextStarts() {
    List<ActorSystem<Void>> nodes = form("");
    initEverywhere(nodes, ctx -> ignoresStop(ctx, recorder));
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    var probe = subscribed(leader);
    long term = RegentElection.get(leader).current().term();

    Cluster.get(leader).manager().tell(Leave.create(Cluster.get(leader).selfMember().address()));
    SteppedDown down = awaitSteppedDown(probe);
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    assertTrue(taskCalled.containsKey(first.node()), "the hand-over task was called on Cluster.leave");
    assertEquals(new SteppedDown(term, LeadershipEvent.Reason.TRANSFER), down);
    Incarnation old = recorder.incarnations().get(first.id());
    assertTrue(old.stopNanos().isPresent(), recorder.toString());
    assertTrue(next.startNanos() - old.stopNanos().get() > 0,
        "the next instance started only after the old one terminated: " + recorder);
    recorder.assertNoOverlap();
  }

  /** Scenario 3 through {@code transferLeadership}: the same gate, the same order. */
  @Test
  void transferLeadershipStopsTheInstanceBeforeTheNextStarts() throws Exception {
    List<ActorSystem<Void>> nodes = form("");
    initEverywhere(nodes, ctx -> ignoresStop(ctx, recorder));
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    var probe = subscribed(leader);
    long term = RegentElection.get(leader).current().term();

    RegentElection.get(leader).transferLeadership(Duration.ofSeconds(10))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(new SteppedDown(term, LeadershipEvent.Reason.TRANSFER), awaitSteppedDown(probe));
    Incarnation next = recorder.awaitNewInstance(first, WAIT);
    assertTrue(taskCalled.containsKey(first.node()), "the hand-over task was called");
    Incarnation old = recorder.incarnations().get(first.id());
    assertTrue(next.startNanos() - old.stopNanos().orElseThrow() > 0, recorder.toString());
    recorder.assertNoOverlap();
  }

  /**
   * Scenario 7: an instance whose stop blocks for longer than {@code hand-over-timeout} (1 s here).
   * No TimeoutNow: the leader steps down with HAND_OVER_TIMED_OUT, an ERROR names the singleton,
   * and the next leader is elected only after the old lease ran out. Whether the old instance
   * still runs then is up to it: the cooperative-stop assumption (SingletonActor's javadoc). On
   * the code before the gate (915b1e8) the timed-out stop "handed over anyway":
   * (the reason compared as text there, the enum constant did not exist):
   * <pre>
   * SingletonHandOverGateTest.aSingletonThatBlocksInItsStopGetsNoHandOver:219 expected:
   * &lt;SteppedDown[term=1, reason=HAND_OVER_TIMED_OUT]&gt; but was:
   * &lt;SteppedDown[term=1, reason=TRANSFER]&gt;
   * </pre>
   */
  @Test
  void aSingletonThatBlocksInItsStopGetsNoHandOver() throws Exception {
    logs = new ListAppender<>();
    logs.start();
    actorLogger().addAppender(logs);
    List<ActorSystem<Void>> nodes = form("regent.election.hand-over-timeout = 1s");
    initEverywhere(nodes, ctx -> blocksInStop(ctx, recorder, Duration.ofMillis(2500)));
    Incarnation first = recorder.awaitOneRunning(WAIT);
    ActorSystem<Void> leader = cluster.byName(first.node());
    var others = nodes.stream().filter(n -> n != leader).toList();
    long timeoutNowBefore = others.stream().mapToLong(
        n -> ElectionRuntime.get(n).receivedCount(ElectionMessage.TimeoutNow.class)).sum();
    var probe = subscribed(leader);
    long term = RegentElection.get(leader).current().term();

    var reply = RegentElection.get(leader).transferLeadership(Duration.ofSeconds(10))
        .toCompletableFuture();
    SteppedDown down = awaitSteppedDown(probe);
    long leaseEnd = ElectionRuntime.get(leader).lastState().orElseThrow().promiseUntil();
    reply.get(20, TimeUnit.SECONDS);
    assertEquals(new SteppedDown(term, LeadershipEvent.Reason.HAND_OVER_TIMED_OUT), down);

    Await.until(WAIT, "a leader of a later term", () -> nodes.stream().anyMatch(
        n -> RegentElection.get(n).current().holdsLease()
            && RegentElection.get(n).current().term() > term));
    assertTrue(System.nanoTime() - leaseEnd > 0, "the next leader waited out the old lease");
    long timeoutNowAfter = others.stream().mapToLong(
        n -> ElectionRuntime.get(n).receivedCount(ElectionMessage.TimeoutNow.class)).sum();
    assertEquals(timeoutNowBefore, timeoutNowAfter, "no TimeoutNow after a timed-out stop");
    assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
            && e.getFormattedMessage().contains("singleton [" + NAME + "]")),
        "an ERROR names the singleton");
    // The old leader stays eligible after a hand-over that timed out, so it may win the next
    // term itself: any later incarnation will do (it failed once in a full build waiting for one
    // on another node while the old leader had won term 2).
    // No overlap check: a stop that blocks past the lease is exactly what the contract's
    // cooperative-stop assumption excludes, and it may overlap a successor on another node.
    recorder.awaitLaterInstance(first, WAIT);
  }
}
