package dev.regent.toolkit.internal.sbr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.sbr.RegentDowningProvider;
import dev.regent.toolkit.testkit.Await;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.ConfigurationException;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.Test;

class SplitBrainSettingsTest {

  private static Config config(String s) {
    return ConfigFactory.parseString(s).withFallback(ConfigFactory.load()).resolve();
  }

  private static void rejects(String config, String key) {
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> SplitBrainSettings.fromConfig(config(config)));
    assertTrue(e.getMessage().contains(key), "message names " + key + ": " + e.getMessage());
  }

  @Test
  void defaultsAreKeepMajority() {
    SplitBrainSettings s = SplitBrainSettings.fromConfig(config(""));
    assertEquals(new KeepMajority(Optional.empty()), s.strategy());
    assertEquals(Duration.ofSeconds(7), s.stableAfter());
    assertEquals(Duration.ofSeconds(5250).dividedBy(1000), s.downAllWhenUnstable());
    assertTrue(s.keepsMajorityWhenUnstable(), "an unstable view keeps a strict majority");
  }

  @Test
  void unstableKeepsMajorityOnlyWithKeepMajority() {
    assertFalse(SplitBrainSettings.fromConfig(config(
        "regent.split-brain-resolver.unstable-keeps-majority = off")).keepsMajorityWhenUnstable());
    assertFalse(SplitBrainSettings.fromConfig(config(
        "regent.split-brain-resolver.active-strategy = keep-oldest"))
        .keepsMajorityWhenUnstable(), "other strategies keep Pekko's down-all rule");
  }

  @Test
  void readsEveryStrategy() {
    assertEquals(new StaticQuorum(3, Optional.of("voter")), SplitBrainSettings.fromConfig(config(
        "regent.split-brain-resolver { active-strategy = static-quorum\n"
            + "static-quorum { quorum-size = 3, role = voter } }")).strategy());
    assertEquals(new KeepOldest(false, Optional.empty()), SplitBrainSettings.fromConfig(config(
        "regent.split-brain-resolver { active-strategy = keep-oldest\n"
            + "keep-oldest.down-if-alone = off }")).strategy());
    assertEquals(new KeepReferee("10.0.0.1", 7355, 2), SplitBrainSettings.fromConfig(config(
        "regent.split-brain-resolver { active-strategy = keep-referee\n"
            + "keep-referee { address = \"pekko://app@10.0.0.1:7355\","
            + " down-all-if-less-than-nodes = 2 } }")).strategy());
    assertInstanceOf(DownAllStrategy.class, SplitBrainSettings.fromConfig(config(
        "regent.split-brain-resolver.active-strategy = DOWN-ALL")).strategy());
    SplitBrainSettings lease = SplitBrainSettings.fromConfig(config(
        "regent.split-brain-resolver { active-strategy = lease-majority\n"
            + "lease-majority.lease-implementation = my-lease }\n"
            + "my-lease.lease-class = x.Y"));
    assertEquals("my-lease", ((LeaseMajority) lease.strategy()).leaseImplementation());
    assertEquals(Duration.ZERO, SplitBrainSettings.fromConfig(config(
        "regent.split-brain-resolver.down-all-when-unstable = off")).downAllWhenUnstable());
    assertEquals(Duration.ofSeconds(9), SplitBrainSettings.fromConfig(config(
        "regent.split-brain-resolver.down-all-when-unstable = 9s")).downAllWhenUnstable());
  }

  @Test
  void rejectsUnknownStrategy() {
    rejects("regent.split-brain-resolver.active-strategy = keep-everything",
        "regent.split-brain-resolver.active-strategy");
  }

  @Test
  void rejectsMissingOrNonPositiveQuorumSize() {
    String key = "regent.split-brain-resolver.static-quorum.quorum-size";
    rejects("regent.split-brain-resolver.active-strategy = static-quorum", key);
    rejects("regent.split-brain-resolver { active-strategy = static-quorum\n"
        + "static-quorum.quorum-size = 0 }", key);
    rejects("regent.split-brain-resolver { active-strategy = static-quorum\n"
        + "static-quorum.quorum-size = -2 }", key);
    rejects("regent.split-brain-resolver { active-strategy = static-quorum\n"
        + "static-quorum.quorum-size = lots }", key);
  }

  @Test
  void rejectsRefereeThatIsNotAnAddress() {
    String key = "regent.split-brain-resolver.keep-referee.address";
    rejects("regent.split-brain-resolver.active-strategy = keep-referee", key);
    rejects("regent.split-brain-resolver { active-strategy = keep-referee\n"
        + "keep-referee.address = \"10.0.0.1:7355\" }", key);
    rejects("regent.split-brain-resolver { active-strategy = keep-referee\n"
        + "keep-referee.address = \"pekko://app\" }", key);
    rejects("regent.split-brain-resolver { active-strategy = keep-referee\n"
        + "keep-referee { address = \"pekko://app@h:1\", down-all-if-less-than-nodes = 0 } }",
        "regent.split-brain-resolver.keep-referee.down-all-if-less-than-nodes");
  }

  @Test
  void rejectsStableAfterShorterThanTheFailureDetectorPause() {
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> SplitBrainSettings.fromConfig(config(
            "regent.split-brain-resolver.stable-after = 2s\n"
                + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s")));
    assertTrue(e.getMessage().contains("regent.split-brain-resolver.stable-after"));
    assertTrue(e.getMessage().contains("pekko.cluster.failure-detector.acceptable-heartbeat-pause"));
    rejects("regent.split-brain-resolver.stable-after = 0s",
        "regent.split-brain-resolver.stable-after");
  }

  @Test
  void rejectsLeaseMajorityWithoutLease() {
    String key = "regent.split-brain-resolver.lease-majority.lease-implementation";
    rejects("regent.split-brain-resolver.active-strategy = lease-majority", key);
    rejects("regent.split-brain-resolver { active-strategy = lease-majority\n"
        + "lease-majority.lease-implementation = nowhere }", key);
    rejects("regent.split-brain-resolver { active-strategy = lease-majority\n"
        + "lease-majority { lease-implementation = my-lease, release-after = 1s } }\n"
        + "my-lease.lease-class = x.Y", "regent.split-brain-resolver.lease-majority.release-after");
  }

  @Test
  void rejectsBadDownAllWhenUnstable() {
    rejects("regent.split-brain-resolver.down-all-when-unstable = sometimes",
        "regent.split-brain-resolver.down-all-when-unstable");
  }

  /** The provider itself refuses a bad configuration, naming the key. */
  @Test
  void providerRefusesBadConfiguration() {
    ActorSystem local = ActorSystem.create("sbr-provider", config(
        "regent.split-brain-resolver.active-strategy = static-quorum"));
    try {
      ConfigurationException e = assertThrows(ConfigurationException.class,
          () -> new RegentDowningProvider(local));
      assertTrue(e.getMessage().contains("regent.split-brain-resolver.static-quorum.quorum-size"));
    } finally {
      local.terminate();
    }
  }

  /** A cluster node with a bad resolver configuration does not start: its ActorSystem stops. */
  @Test
  void badConfigurationRefusesToStart() {
    Config c = LocalCluster.nodeConfig(0, ConfigFactory.parseString(
        "regent.split-brain-resolver.active-strategy = static-quorum"));
    ActorSystem system;
    try {
      system = ActorSystem.create("sbr-bad", c);
    } catch (RuntimeException e) {
      return; // refused outright
    }
    try {
      // Whether Pekko fails the Cluster extension or the system first depends on timing (asking
      // Cluster.get afterwards was flaky); what matters is that the node does not stay up.
      Await.until(Duration.ofSeconds(30),
          "the ActorSystem with a bad resolver configuration stops by itself",
          () -> system.whenTerminated().isCompleted());
    } finally {
      system.terminate();
    }
  }
}
