package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.regent.singleton.internal.Delivered;
import dev.regent.singleton.internal.Located;
import dev.regent.singleton.internal.SingletonEnvelope;
import dev.regent.singleton.internal.SingletonPaths;
import dev.regent.singleton.internal.SingletonProxy;
import dev.regent.singleton.internal.StatsCounters;
import dev.regent.toolkit.leadership.NodeId;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderKnown;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderLost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's delivery modes, overflow policies and direct routing on one local system: a
 * stand-in "manager" at the well-known path hands every envelope to a probe, so the test plays
 * the manager and the incarnation (confirmations, locations) exactly.
 */
class DeliveryProxyTest {

  private static final String NAME = "d";

  private ActorTestKit kit;
  private ScriptedSource source;
  private StatsCounters stats;
  private TestProbe<SingletonEnvelope> atManager;
  private ActorRef<Object> proxy;

  private void start(java.util.function.UnaryOperator<ClusterSingletonSettings> tweak) {
    kit = ActorTestKit.create("delivery", ConfigFactory.parseString(
        "pekko.actor.allow-java-serialization = off\n"
            // Every message crosses the serializer, as between nodes.
            + "pekko.actor.serialize-messages = on\n"
            + "pekko.actor.no-serialization-verification-needed-class-prefix = [\"org.apache.pekko.\","
            + " \"dev.regent.singleton.SingletonRefused\"]\n"));
    source = new ScriptedSource(new NodeId("self", 1));
    stats = new StatsCounters();
    atManager = kit.createTestProbe();
    ActorRef<SingletonEnvelope> forward = atManager.ref();
    kit.system().systemActorOf(Behaviors.receiveMessage(m -> {
      forward.tell((SingletonEnvelope) m);
      return Behaviors.same();
    }), SingletonPaths.managerName(NAME), Props.empty());
    var settings = tweak.apply(ClusterSingletonSettings.create(kit.system()).withBufferSize(3));
    proxy = kit.spawn(SingletonProxy.create(NAME, settings, source, stats));
    atManager.awaitAssert(() -> {
      assertEquals(1, source.subscriberCount());
      return null;
    });
  }

  @AfterEach
  void stop() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  private void leader(long term) {
    source.emit(new LeaderKnown(new NodeId("leader", 2), kit.system().address(), term));
  }

  private void await(Runnable check) {
    atManager.awaitAssert(() -> {
      check.run();
      return null;
    });
  }

  private List<SingletonEnvelope> receive(TestProbe<SingletonEnvelope> probe, int n) {
    var out = new ArrayList<SingletonEnvelope>();
    for (int i = 0; i < n; i++) {
      out.add(probe.receiveMessage());
    }
    return out;
  }

  @Test
  void atLeastOnceNumbersKeepsAndResendsUnconfirmedToTheNextIncarnation() {
    start(s -> s.withDelivery(DeliveryMode.AT_LEAST_ONCE).withResendAfter(Duration.ofSeconds(30)));
    leader(1);
    for (String m : List.of("a", "b", "c")) {
      proxy.tell(m);
    }
    var sent = receive(atManager, 3);
    assertEquals(List.of(1L, 2L, 3L), sent.stream().map(SingletonEnvelope::seq).toList());
    assertTrue(sent.stream().allMatch(e -> e.locate() && e.replyTo() != null));
    String proxyId = sent.get(0).proxyId();
    assertFalse(proxyId.isEmpty());
    await(() -> assertEquals(3, stats.proxyUnconfirmed()));

    // "b" was processed and confirmed; "a" and "c" not (the host failed).
    sent.get(1).replyTo().tell(new Delivered(2));
    await(() -> assertEquals(2, stats.proxyUnconfirmed()));
    source.emit(new LeaderLost(1));
    proxy.tell("d");
    atManager.expectNoMessage(Duration.ofMillis(100));

    leader(2);
    var again = receive(atManager, 3);
    assertEquals(List.of("a", "c", "d"), again.stream().map(SingletonEnvelope::message).toList());
    assertEquals(List.of(1L, 3L, 4L), again.stream().map(SingletonEnvelope::seq).toList());
    assertTrue(again.stream().allMatch(e -> e.proxyId().equals(proxyId)));
    await(() -> assertEquals(2, stats.proxyResentCount())); // "d" was never sent before

    // The old incarnation's late confirmation of "a" and the new one's: one duplicate.
    sent.get(0).replyTo().tell(new Delivered(1));
    again.get(0).replyTo().tell(new Delivered(1));
    await(() -> assertEquals(1, stats.duplicateConfirmations()));
    assertEquals(2, stats.proxyUnconfirmed());
  }

  @Test
  void atLeastOnceResendsWhatStaysUnconfirmedForResendAfter() {
    start(s -> s.withDelivery(DeliveryMode.AT_LEAST_ONCE).withResendAfter(Duration.ofMillis(200)));
    leader(1);
    proxy.tell("a");
    proxy.tell("b");
    var first = receive(atManager, 2);
    first.get(0).replyTo().tell(new Delivered(1));
    SingletonEnvelope again = atManager.receiveMessage(Duration.ofSeconds(3));
    assertEquals("b", again.message());
    assertEquals(2, again.seq());
    again.replyTo().tell(new Delivered(2));
    await(() -> assertEquals(0, stats.proxyUnconfirmed()));
    atManager.expectNoMessage(Duration.ofMillis(500));
  }

  @Test
  void atMostOnceSendsNoSequenceNumbers() {
    start(s -> s);
    leader(1);
    proxy.tell("a");
    SingletonEnvelope e = atManager.receiveMessage();
    assertEquals(0, e.seq());
    assertTrue(e.locate(), "asks where the instance runs");
  }

  @Test
  void directRoutingSendsStraightToTheIncarnationAndFallsBackWhenItStops() {
    start(s -> s.withDelivery(DeliveryMode.AT_LEAST_ONCE).withResendAfter(Duration.ofSeconds(30)));
    leader(1);
    proxy.tell("a");
    SingletonEnvelope viaManager = atManager.receiveMessage();
    TestProbe<SingletonEnvelope> atInstance = kit.createTestProbe();
    ActorRef<Object> instance = kit.spawn(Behaviors.receiveMessage(m -> {
      if (m.equals("stop")) {
        return Behaviors.stopped();
      }
      atInstance.ref().tell((SingletonEnvelope) m);
      return Behaviors.same();
    }));
    viaManager.replyTo().tell(new Located(NAME, 1, instance));
    viaManager.replyTo().tell(new Delivered(1));
    await(() -> assertEquals(0, stats.proxyUnconfirmed()));
    proxy.tell("b");
    SingletonEnvelope direct = atInstance.receiveMessage();
    assertEquals("b", direct.message());
    assertFalse(direct.locate());
    assertEquals(2, direct.seq());
    atManager.expectNoMessage(Duration.ofMillis(100));
    await(() -> assertEquals(1, stats.proxyDirectSends()));

    // The incarnation stops without confirming "b": it goes to the manager again.
    instance.tell("stop");
    SingletonEnvelope resent = atManager.receiveMessage();
    assertEquals("b", resent.message());
    assertEquals(2, resent.seq());
    proxy.tell("c");
    assertEquals("c", atManager.receiveMessage().message());
  }

  @Test
  void atMostOnceDirectRoutingSendsTheBareMessage() {
    start(s -> s);
    leader(1);
    proxy.tell("a");
    SingletonEnvelope viaManager = atManager.receiveMessage();
    TestProbe<Object> atInstance = kit.createTestProbe();
    viaManager.replyTo().tell(new Located(NAME, 1, atInstance.ref()));
    // A location of another singleton or an older term is ignored.
    viaManager.replyTo().tell(new Located("other", 1, kit.createTestProbe().ref()));
    await(() -> assertEquals(0, stats.proxyDirectSends()));
    proxy.tell("b");
    // Straight to the incarnation, the message itself (as Pekko's proxy sends it): no envelope.
    assertEquals("b", atInstance.receiveMessage());
    atManager.expectNoMessage(Duration.ofMillis(100));
    // A new term: back to the manager until it says where the new incarnation runs.
    leader(2);
    proxy.tell("c");
    SingletonEnvelope c = fish(atManager, "c");
    assertTrue(c.locate());
    atInstance.expectNoMessage(Duration.ofMillis(100));
  }

  private static SingletonEnvelope fish(TestProbe<SingletonEnvelope> probe, Object message) {
    while (true) {
      SingletonEnvelope e = probe.receiveMessage();
      if (e.message().equals(message)) {
        return e;
      }
    }
  }

  @Test
  void dropNewestKeepsTheBufferedOnes() {
    start(s -> s.withOverflow(OverflowPolicy.DROP_NEWEST));
    source.emit(new LeaderLost(1));
    for (String m : List.of("1", "2", "3", "4", "5")) {
      proxy.tell(m);
    }
    await(() -> assertEquals(2, stats.proxyDroppedCount()));
    leader(2);
    assertEquals(List.of("1", "2", "3"),
        receive(atManager, 3).stream().map(SingletonEnvelope::message).toList());
  }

  @Test
  void refuseTellsARefusableSenderAndPublishesDroppedForOthers() {
    start(s -> s.withOverflow(OverflowPolicy.REFUSE));
    TestProbe<Dropped> dropped = kit.createTestProbe();
    kit.system().eventStream().tell(new EventStream.Subscribe<>(Dropped.class, dropped.ref()));
    source.emit(new LeaderLost(1));
    for (String m : List.of("1", "2", "3", "4")) {
      proxy.tell(m);
    }
    Dropped d = dropped.receiveMessage();
    assertEquals("4", d.message());
    assertTrue(d.reason().contains("regent.singleton.overflow = refuse"), d.reason());
    TestProbe<SingletonRefused> refused = kit.createTestProbe();
    proxy.tell(new Refusable("5", refused.ref()));
    SingletonRefused r = refused.receiveMessage();
    assertEquals(NAME, r.singleton());
    assertInstanceOf(Refusable.class, r.message());
    await(() -> assertEquals(2, stats.proxyRefusedCount()));
    assertEquals(0, stats.proxyDroppedCount());
  }

  @Test
  void atLeastOnceAppliesTheOverflowPolicyToUnconfirmedMessages() {
    start(s -> s.withDelivery(DeliveryMode.AT_LEAST_ONCE).withMaxUnconfirmed(2)
        .withOverflow(OverflowPolicy.DROP_OLDEST).withResendAfter(Duration.ofSeconds(30)));
    source.emit(new LeaderLost(1));
    for (String m : List.of("1", "2", "3")) {
      proxy.tell(m);
    }
    await(() -> assertEquals(1, stats.proxyDroppedCount()));
    leader(2);
    var sent = receive(atManager, 2);
    assertEquals(List.of("2", "3"), sent.stream().map(SingletonEnvelope::message).toList());
    assertNotEquals(sent.get(0).seq(), sent.get(1).seq());
  }

  /** A message that wants to hear of a refusal (crosses the serializer: CBOR). */
  record Refusable(String text, ActorRef<SingletonRefused> refusedTo)
      implements RefusableMessage, dev.regent.toolkit.serialization.RegentSerializable {}

  /**
   * What at-least-once holds in memory per unconfirmed message, besides the message itself: one
   * shared message object is sent 10,000 times while no leader is known, so the heap grows by the
   * proxy's bookkeeping only. Printed, not asserted (a full GC before and after).
   */
  @Test
  void measuresTheMemoryOfUnconfirmedMessages() {
    start(s -> s.withDelivery(DeliveryMode.AT_LEAST_ONCE).withMaxUnconfirmed(10_000));
    source.emit(new LeaderLost(1));
    String shared = "the same message";
    var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
    System.gc();
    long before = memory.getHeapMemoryUsage().getUsed();
    for (int i = 0; i < 10_000; i++) {
      proxy.tell(shared);
    }
    await(() -> assertEquals(10_000, stats.proxyUnconfirmed()));
    System.gc();
    long after = memory.getHeapMemoryUsage().getUsed();
    System.out.println("MEASURED at-least-once proxy memory: " + (after - before) / 10_000
        + " bytes per unconfirmed message besides the message (" + (after - before) / 1024
        + " KiB for 10,000)");
  }
}
