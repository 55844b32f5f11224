package dev.regent.toolkit.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.internal.election.ElectionMessage;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;

/** The start-up warm-up covers every election message and really round-trips each. */
class WireWarmUpTest {

  @Test
  void samplesCoverEveryElectionMessage() {
    Set<Class<?>> sampled = WireWarmUp.samples().stream()
        .filter(PeerEnvelope.class::isInstance)
        .map(s -> ((PeerEnvelope) s).envelope().message().getClass())
        .collect(Collectors.toSet());
    assertEquals(Set.copyOf(Arrays.asList(ElectionMessage.class.getPermittedSubclasses())),
        sampled, "a new election message needs a sample in WireWarmUp");
    assertEquals(1, WireWarmUp.samples().stream().filter(NodeHello.class::isInstance).count());
  }

  @Test
  void everySampleRoundTripsThroughTheBoundSerializer() {
    ActorTestKit kit = ActorTestKit.create("warm-up", ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.actor.allow-java-serialization = off
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = 0
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        """));
    try {
      var serialization = SerializationExtension.get(kit.system().classicSystem());
      for (Object sample : WireWarmUp.samples()) {
        assertEquals(RegentWireSerializer.class,
            serialization.findSerializerFor(sample).getClass(), sample.toString());
      }
      // two rounds of every sample, each deserialized equal to what was written
      assertEquals(2 * WireWarmUp.samples().size(), WireWarmUp.run(serialization));
    } finally {
      kit.shutdownTestKit();
    }
  }
}
