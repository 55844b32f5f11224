package dev.regent.toolkit.internal.wire;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.internal.election.ConfigId;
import dev.regent.toolkit.internal.election.ElectionMessage.Heartbeat;
import dev.regent.toolkit.internal.election.ElectionMessage.VoteRequest;
import dev.regent.toolkit.internal.election.VoterConfig;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Envelopes crossing real Artery remoting between two actor systems in this JVM, with Java
 * serialization off: the reference.conf binding alone must carry them.
 */
class ElectionEnvelopeRemotingTest {

  private static final Config CONFIG = ConfigFactory.parseString("""
      pekko.actor.provider = cluster
      pekko.actor.allow-java-serialization = off
      pekko.actor.serialize-messages = off
      pekko.remote.artery.canonical.hostname = "127.0.0.1"
      pekko.remote.artery.canonical.port = 0
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      """);

  private static ActorTestKit sender;
  private static ActorTestKit receiver;

  @BeforeAll
  static void start() {
    sender = ActorTestKit.create("wire", CONFIG);
    receiver = ActorTestKit.create("wire", CONFIG);
  }

  @AfterAll
  static void stop() {
    sender.shutdownTestKit();
    receiver.shutdownTestKit();
  }

  @Test
  void envelopesCrossRemoting() {
    TestProbe<ElectionEnvelope> probe = receiver.createTestProbe();
    String path = ActorRefResolver.get(receiver.system()).toSerializationFormat(probe.ref());
    ActorRef<ElectionEnvelope> remote =
        ActorRefResolver.get(sender.system()).resolveActorRef(path);

    var a = new NodeId("127.0.0.1-2551", 11);
    var b = new NodeId("127.0.0.1-2552", 22);
    var heartbeat = new ElectionEnvelope(b.name(),
        new Heartbeat(3, a, 0x8f3a_61c0_d2e4_b597L, 42,
            VoterConfig.of(new ConfigId(3, 1), List.of(a, b)), 500_000_000L));
    var vote = new ElectionEnvelope(b.name(),
        new VoteRequest(4, a, Lineage.LEGACY, new ConfigId(3, 1), Optional.of(b)));
    remote.tell(heartbeat);
    remote.tell(vote);
    // The first message waits for the association handshake; allow for a slow machine.
    probe.expectMessage(Duration.ofSeconds(15), heartbeat);
    probe.expectMessage(Duration.ofSeconds(5), vote);
  }
}
