package dev.regent.toolkit.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reading settings from a real actor system: the node name comes from its canonical address. */
class ElectionSettingsActorSystemTest {

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("settings", ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = 0
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        """));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void derivesNodeNameFromCanonicalHostAndPort() {
    var address = Cluster.get(testKit.system()).selfMember().address();
    var settings = ElectionSettings.create(testKit.system());
    assertEquals(Optional.of("127.0.0.1-" + address.port().get()), settings.nodeName());
    assertEquals(NodeNames.fromAddress(address), settings.nodeName());
  }

  /** {@code bootstrap.expect = seed-nodes} resolves to the number of seed nodes, at least 1. */
  @Test
  void bootstrapExpectDefaultsToTheNumberOfSeedNodes() {
    var config = ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = 0
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        pekko.cluster.seed-nodes = ["pekko://seeds@127.0.0.1:1", "pekko://seeds@127.0.0.1:2",
          "pekko://seeds@127.0.0.1:3"]
        """);
    var kit = ActorTestKit.create("seeds", config);
    try {
      assertEquals(java.util.OptionalInt.of(3),
          ElectionSettings.create(kit.system()).bootstrapExpect());
    } finally {
      kit.shutdownTestKit();
    }
    assertEquals(java.util.OptionalInt.of(1),
        ElectionSettings.create(testKit.system()).bootstrapExpect(), "no seed nodes: 1");
  }
}
