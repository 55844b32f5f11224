package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.regent.singleton.internal.Delivered;
import dev.regent.singleton.internal.Located;
import dev.regent.singleton.internal.SingletonEnvelope;
import dev.regent.singleton.internal.SingletonManager;
import dev.regent.singleton.internal.SingletonPaths;
import dev.regent.singleton.internal.SingletonProxy;
import dev.regent.singleton.internal.StatsCounters;
import dev.regent.toolkit.leadership.NodeId;
import dev.regent.toolkit.leadership.LeadershipEvent.BecameLeader;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderKnown;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaseRenewed;
import dev.regent.toolkit.testkit.Await;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The singleton side of at-least-once delivery and direct routing, with the real manager and
 * suspension interceptor on one local system (a scripted leadership source): an incarnation
 * confirms a message only after its behavior processed it, a suspended one confirms nothing, one
 * stopped while suspended never confirms what it held, and a manager tells a proxy that asks where
 * the incarnation runs.
 */
class DeliveryManagerTest {

  private static final NodeId SELF = new NodeId("self", 1);

  sealed interface Cmd {}

  record Work(String text) implements Cmd {}

  record Block(CountDownLatch entered, CountDownLatch release) implements Cmd {}

  /** Processed, but the handler withholds the confirmation (e.g. its fenced write was refused). */
  record Withhold() implements Cmd {}

  /** What the behavior saw: the message and {@code SingletonContext.currentDelivery()}. */
  record Got(String text, Optional<DeliveryId> delivery) {}

  private ActorTestKit kit;
  private ScriptedSource source;
  private StatsCounters stats;
  private TestProbe<Got> got;
  private TestProbe<SingletonProxy.Command> atProxy;
  private ActorRef<SingletonManager.Command> manager;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("delivery-manager", ConfigFactory.parseString(
        "pekko.actor.allow-java-serialization = off"));
    source = new ScriptedSource(SELF);
    stats = new StatsCounters();
    got = kit.createTestProbe();
    atProxy = kit.createTestProbe();
    var settings = ClusterSingletonSettings.create(kit.system())
        .withStopTimeout(Duration.ofMillis(100)).withLeaseMargin(Duration.ofMillis(30))
        .withMaxSuspension(Duration.ofMillis(600));
    var singleton = SingletonActor.ofFenced(this::behavior, "confirming");
    manager = kit.spawn(SingletonManager.create(singleton, settings, source, stats));
    Await.until(Duration.ofSeconds(5), () -> " (no subscriber)",
        () -> source.subscriberCount() == 1);
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private Behavior<Cmd> behavior(SingletonContext ctx) {
    ActorRef<Got> out = got.ref();
    return Behaviors.receive(Cmd.class)
        .onMessage(Work.class, w -> {
          out.tell(new Got(w.text(), ctx.currentDelivery()));
          return Behaviors.same();
        })
        .onMessage(Withhold.class, w -> {
          ctx.withholdConfirmation();
          out.tell(new Got("withheld", ctx.currentDelivery()));
          return Behaviors.same();
        })
        .onMessage(Block.class, b -> {
          b.entered().countDown();
          assertTrue(b.release().await(10, TimeUnit.SECONDS));
          return Behaviors.same();
        })
        .build();
  }

  private SingletonEnvelope envelope(Object message, long seq, boolean locate) {
    return new SingletonEnvelope(message, atProxy.ref(), "proxy-1", seq, locate);
  }

  private static long in(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  @Test
  void confirmsOnlyAfterTheBehaviorProcessedTheMessage() throws Exception {
    source.emit(new BecameLeader(1, in(Duration.ofSeconds(30))));
    var entered = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    manager.tell(envelope(new Block(entered, release), 1, false));
    assertTrue(entered.await(5, TimeUnit.SECONDS));
    // The handler runs: no confirmation yet.
    atProxy.expectNoMessage(Duration.ofMillis(200));
    release.countDown();
    assertEquals(new Delivered(1), atProxy.receiveMessage());

    manager.tell(envelope(new Work("w"), 2, false));
    assertEquals(new Got("w", Optional.of(new DeliveryId("proxy-1", 2))), got.receiveMessage());
    assertEquals(new Delivered(2), atProxy.receiveMessage());
    // At most once: no sequence number, nothing to confirm, no delivery id.
    manager.tell(new SingletonEnvelope(new Work("amo")));
    assertEquals(new Got("amo", Optional.empty()), got.receiveMessage());
    atProxy.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aSuspendedIncarnationConfirmsNothingUntilItResumesAndProcesses() {
    source.emit(new BecameLeader(2, in(Duration.ofMillis(400))));
    Await.until(Duration.ofSeconds(5), () -> " (stats " + stats + ")",
        () -> stats.suspensions() == 1);
    manager.tell(envelope(new Work("held"), 1, false));
    got.expectNoMessage(Duration.ofMillis(150));
    atProxy.expectNoMessage(Duration.ofMillis(50));
    source.emit(new LeaseRenewed(2, in(Duration.ofSeconds(30))));
    assertEquals("held", got.receiveMessage().text());
    assertEquals(new Delivered(1), atProxy.receiveMessage());
  }

  @Test
  void anIncarnationStoppedWhileSuspendedNeverConfirmsWhatItHeld() {
    source.emit(new BecameLeader(3, in(Duration.ofMillis(400))));
    Await.until(Duration.ofSeconds(5), () -> " (stats " + stats + ")",
        () -> stats.suspensions() == 1);
    manager.tell(envelope(new Work("held"), 7, false));
    // max-suspension (600 ms) passes: stopped, the held message to dead letters, unconfirmed.
    Await.until(Duration.ofSeconds(5), () -> " (stats " + stats + ")",
        () -> stats.suspendedDroppedCount() == 1);
    got.expectNoMessage(Duration.ofMillis(100));
    atProxy.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void tellsAProxyThatAsksWhereTheIncarnationRuns() {
    source.emit(new BecameLeader(4, in(Duration.ofSeconds(30))));
    manager.tell(envelope(new Work("a"), 0, true));
    Located located = (Located) atProxy.receiveMessage();
    assertEquals("confirming", located.singleton());
    assertEquals(4, located.term());
    assertEquals("a", got.receiveMessage().text());
    // Sent straight to the incarnation, the envelope is unwrapped and confirmed the same way.
    located.instance().tell(envelope(new Work("direct"), 5, false));
    assertEquals(new Got("direct", Optional.of(new DeliveryId("proxy-1", 5))),
        got.receiveMessage());
    assertEquals(new Delivered(5), atProxy.receiveMessage());
  }

  @Test
  void handsAtMostOnceMessagesOnToAnotherLeaderButLeavesAtLeastOnceOnesToTheirProxy() {
    // The other leader's manager: a stand-in at the well-known path of this (local) system.
    TestProbe<SingletonEnvelope> atLeader = kit.createTestProbe();
    ActorRef<SingletonEnvelope> forward = atLeader.ref();
    kit.system().systemActorOf(Behaviors.receiveMessage(m -> {
      forward.tell((SingletonEnvelope) m);
      return Behaviors.same();
    }), SingletonPaths.managerName("confirming"), Props.empty());
    source.emit(new LeaderKnown(new NodeId("other", 2), kit.system().address(), 5));
    manager.tell(envelope(new Work("alo"), 9, false));
    manager.tell(new SingletonEnvelope(new Work("amo")));
    assertEquals(new Work("amo"), atLeader.receiveMessage().message());
    // The proxy resends "alo" to the new leader itself: a copy from here would be a duplicate.
    atLeader.expectNoMessage(Duration.ofMillis(200));
    got.expectNoMessage(Duration.ofMillis(10));
  }

  @Test
  void aDeposedIncarnationDoesNotConfirmWhatItProcessed() throws Exception {
    source.emit(new BecameLeader(6, in(Duration.ofSeconds(30))));
    var entered = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    manager.tell(envelope(new Block(entered, release), 1, false));
    assertTrue(entered.await(5, TimeUnit.SECONDS));
    // While the handler runs, this node's election moves on: the incarnation is deposed.
    source.emit(new LeaderKnown(new NodeId("other", 2), kit.system().address(), 7));
    release.countDown();
    Await.until(Duration.ofSeconds(5), () -> " (stats " + stats + ")",
        () -> stats.toString().contains("confirmationsWithheld=1"));
    atProxy.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aHandlerCanWithholdTheConfirmation() {
    source.emit(new BecameLeader(8, in(Duration.ofSeconds(30))));
    manager.tell(envelope(new Withhold(), 1, false));
    assertEquals(new Got("withheld", Optional.of(new DeliveryId("proxy-1", 1))),
        got.receiveMessage());
    manager.tell(envelope(new Work("next"), 2, false));
    assertEquals("next", got.receiveMessage().text());
    // Only the second is confirmed: the cursor's flag does not leak into the next message.
    assertEquals(new Delivered(2), atProxy.receiveMessage());
    atProxy.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void confirmationsAreBatchedAndEachBatchStaysSmall() throws Exception {
    source.emit(new BecameLeader(9, in(Duration.ofSeconds(30))));
    var entered = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    manager.tell(envelope(new Block(entered, release), 1, false));
    assertTrue(entered.await(5, TimeUnit.SECONDS));
    // 5,000 more queue up behind the blocked handler: one run of the mailbox.
    for (int i = 2; i <= 5_001; i++) {
      manager.tell(envelope(new Work("w"), i, false));
    }
    release.countDown();
    var seen = new java.util.HashSet<Long>();
    int batches = 0;
    while (seen.size() < 5_001) {
      Delivered d = (Delivered) atProxy.receiveMessage(Duration.ofSeconds(10));
      batches++;
      assertTrue(d.seqs().length <= 4096, "batch of " + d.seqs().length);
      for (long seq : d.seqs()) {
        assertTrue(seen.add(seq), "confirmed twice: " + seq);
      }
    }
    assertTrue(batches < 100, "batched: " + batches + " confirmations for 5,001 messages");
  }
}
