package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.config.InvalidSettingsException;
import dev.regent.toolkit.leadership.LeadershipEvent.BecameLeader;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderLost;
import dev.regent.toolkit.leadership.NodeId;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/** {@link ClusterSingleton#init} on one local node with a scripted election. */
class ClusterSingletonInitTest {

  private static ActorTestKit kit(String config) {
    return ActorTestKit.create("init", ConfigFactory.parseString(config + """

        pekko.actor.allow-java-serialization = off
        """).withFallback(ConfigFactory.load()));
  }

  @Test
  void refusesAStopBudgetThatDoesNotFitTheLeaseNamingTheKeys() {
    var kit = kit("regent.singleton.stop-timeout = 480ms");
    try {
      var singletons = new ClusterSingleton(kit.system(), new ScriptedSource(new NodeId("n", 1)));
      var e = assertThrows(InvalidSettingsException.class,
          () -> singletons.init(SingletonActor.of(Behaviors.empty(), "s")));
      assertEquals(List.of("regent.singleton.stop-timeout", "regent.singleton.lease-margin",
          "regent.election.lease"), e.keys());
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void refusesAHandOverTimeoutNotLargerThanTheStopBudgetNamingTheKeys() {
    // The stop budget (200ms + 50ms) fits the lease (500ms) but not the hand-over timeout.
    var kit = kit("regent.election.hand-over-timeout = 250ms");
    try {
      var singletons = new ClusterSingleton(kit.system(), new ScriptedSource(new NodeId("n", 1)));
      var e = assertThrows(InvalidSettingsException.class,
          () -> singletons.init(SingletonActor.of(Behaviors.empty(), "s")));
      assertEquals(List.of("regent.singleton.stop-timeout", "regent.singleton.lease-margin",
          "regent.election.hand-over-timeout"), e.keys());
      // Per singleton: settings with a smaller stop budget are accepted.
      singletons.init(SingletonActor.of(Behaviors.empty(), "quick").withSettings(
          ClusterSingletonSettings.create(kit.system()).withStopTimeout(Duration.ofMillis(150))));
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void refusesARoleOtherThanTheVoterRole() {
    var kit = kit("regent.election.voter-role = voters");
    try {
      var singletons = new ClusterSingleton(kit.system(), new ScriptedSource(new NodeId("n", 1)));
      var e = assertThrows(InvalidSettingsException.class, () -> singletons.init(
          SingletonActor.of(Behaviors.empty(), "s").withSettings(
              ClusterSingletonSettings.create(kit.system()).withRole("other"))));
      assertTrue(e.keys().containsAll(
          List.of("regent.singleton.role", "regent.election.voter-role")), e.getMessage());
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void severalNamedSingletonsRunSideBySideAndInitIsIdempotent() {
    var kit = kit("");
    try {
      var source = new ScriptedSource(new NodeId("n", 1));
      var singletons = new ClusterSingleton(kit.system(), source);
      TestProbe<String> probe = kit.createTestProbe();
      ActorRef<String> a = singletons.init(SingletonActor.ofFenced(ctx -> Behaviors.receive(
          String.class).onAnyMessage(m -> {
            probe.ref().tell("a:" + m + ":" + ctx.fencingToken().value());
            return Behaviors.same();
          }).build(), "a"));
      ActorRef<String> b = singletons.init(SingletonActor.<String>of(Behaviors.receive(
          String.class).onAnyMessage(m -> {
            probe.ref().tell("b:" + m);
            return Behaviors.same();
          }).build(), "b"));
      assertSame(a, singletons.init(SingletonActor.of(Behaviors.<String>empty(), "a")));
      // Two managers and two proxies subscribe.
      probe.awaitAssert(Duration.ofSeconds(3), () -> {
        assertEquals(4, source.subscriberCount());
        return null;
      });
      // Buffered in the proxies while no leader is known, then delivered.
      a.tell("1");
      b.tell("2");
      probe.expectNoMessage(Duration.ofMillis(100));
      assertEquals(1, singletons.stats("a").orElseThrow().proxyBuffered());
      source.emit(new BecameLeader(8, System.nanoTime() + Duration.ofSeconds(10).toNanos()));
      var got = List.of(probe.receiveMessage(), probe.receiveMessage());
      assertTrue(got.containsAll(List.of("a:1:8", "b:2")), got.toString());
      assertEquals(1, singletons.stats("b").orElseThrow().instancesStarted());
      // LeaderLost: proxies buffer again; dropping beyond the bound is counted.
      source.emit(new LeaderLost(8));
      probe.expectNoMessage(Duration.ofMillis(100));
      for (int i = 0; i < 1005; i++) {
        a.tell("x" + i);
      }
      probe.awaitAssert(() -> {
        assertEquals(5, singletons.stats("a").orElseThrow().proxyDroppedCount());
        return null;
      });
    } finally {
      kit.shutdownTestKit();
    }
  }
}
