package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.regent.singleton.internal.LeaderAnnouncement;
import dev.regent.singleton.internal.SingletonEnvelope;
import dev.regent.singleton.internal.SingletonPaths;
import dev.regent.singleton.internal.SingletonProxy;
import dev.regent.singleton.internal.StatsCounters;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderKnown;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderLost;
import dev.regent.toolkit.leadership.NodeId;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy on one local system: a stand-in "manager" at the well-known path receives what the
 * proxy forwards, so routing by election events and by announcements can be driven exactly.
 */
class SingletonProxyTest {

  private static final String NAME = "p";
  private static final Duration INTERVAL = Duration.ofMillis(100);

  private ActorTestKit kit;
  private ScriptedSource source;
  private StatsCounters stats;
  private TestProbe<Object> atManager;
  private ActorRef<Object> proxy;
  private String address;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("proxy", ConfigFactory.parseString(
        "pekko.actor.allow-java-serialization = off"));
    source = new ScriptedSource(new NodeId("self", 1));
    stats = new StatsCounters();
    atManager = kit.createTestProbe();
    ActorRef<Object> forward = atManager.ref();
    // The proxy hands user messages on in the envelope managers accept.
    kit.system().systemActorOf(Behaviors.receiveMessage(m -> {
      forward.tell(m instanceof SingletonEnvelope e ? e.message() : "not in an envelope: " + m);
      return Behaviors.same();
    }), SingletonPaths.managerName(NAME), Props.empty());
    var settings = ClusterSingletonSettings.create(kit.system()).withBufferSize(3)
        .withAnnounceInterval(INTERVAL);
    proxy = kit.spawn(SingletonProxy.create(NAME, settings, source, stats));
    address = kit.system().address().toString();
    atManager.awaitAssert(() -> {
      assertEquals(1, source.subscriberCount());
      return null;
    });
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private void awaitBuffered(int n) {
    atManager.awaitAssert(() -> {
      assertEquals(n, stats.proxyBuffered());
      return null;
    });
  }

  @Test
  void buffersUntilAnAnnouncementThenForwardsAndGivesUpAfterThreeSilentIntervals() {
    proxy.tell("a");
    awaitBuffered(1);
    atManager.expectNoMessage(Duration.ofMillis(50));

    proxy.tell(new LeaderAnnouncement(NAME, address, 3));
    assertEquals("a", atManager.receiveMessage());
    proxy.tell("b");
    assertEquals("b", atManager.receiveMessage());

    // No announcement for three intervals: the proxy no longer trusts it and buffers.
    atManager.expectNoMessage(INTERVAL.multipliedBy(4));
    proxy.tell("c");
    awaitBuffered(1);
    atManager.expectNoMessage(Duration.ofMillis(50));
    proxy.tell(new LeaderAnnouncement(NAME, address, 3));
    assertEquals("c", atManager.receiveMessage());
  }

  @Test
  void electionViewWinsOverAnnouncementsOfTermsItAlreadyKnows() {
    source.emit(new LeaderLost(5));
    proxy.tell("a");
    awaitBuffered(1);
    // A late announcement of an older or the same term does not resurrect the lost leader.
    proxy.tell(new LeaderAnnouncement(NAME, address, 4));
    proxy.tell(new LeaderAnnouncement(NAME, address, 5));
    proxy.tell(new LeaderAnnouncement("other-singleton", address, 9));
    atManager.expectNoMessage(Duration.ofMillis(100));
    // A newer term is news: route there at once.
    proxy.tell(new LeaderAnnouncement(NAME, address, 6));
    assertEquals("a", atManager.receiveMessage());
    // The election confirms; it does not expire like an announcement.
    source.emit(new LeaderKnown(new NodeId("leader", 2), kit.system().address(), 6));
    atManager.expectNoMessage(INTERVAL.multipliedBy(4));
    proxy.tell("b");
    assertEquals("b", atManager.receiveMessage());
  }

  @Test
  void dropsOldestBeyondTheBoundAndCountsIt() {
    source.emit(new LeaderLost(1));
    for (String m : new String[] {"1", "2", "3", "4", "5"}) {
      proxy.tell(m);
    }
    // The buffer is full after the third message; wait until the fourth and fifth were dropped.
    atManager.awaitAssert(() -> {
      assertEquals(2, stats.proxyDroppedCount());
      return null;
    });
    assertEquals(3, stats.proxyBuffered());
    source.emit(new LeaderKnown(new NodeId("leader", 2), kit.system().address(), 2));
    assertEquals("3", atManager.receiveMessage());
    assertEquals("4", atManager.receiveMessage());
    assertEquals("5", atManager.receiveMessage());
    // The gauge is updated after the buffer was handed over: the last message can arrive first.
    atManager.awaitAssert(() -> {
      assertEquals(0, stats.proxyBuffered());
      return null;
    });
  }
}
