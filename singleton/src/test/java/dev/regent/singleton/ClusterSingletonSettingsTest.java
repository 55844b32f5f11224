package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.config.InvalidSettingsException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterSingletonSettingsTest {

  private static Config section(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load())
        .getConfig(ClusterSingletonSettings.PATH);
  }

  @Test
  void defaultsFromReferenceConf() {
    var s = ClusterSingletonSettings.fromConfig(section(""));
    assertEquals(Optional.empty(), s.role());
    assertEquals(1000, s.bufferSize());
    assertEquals(Duration.ofMillis(200), s.stopTimeout());
    assertEquals(Duration.ofMillis(50), s.leaseMargin());
    assertEquals(Duration.ofSeconds(1), s.announceInterval());
    assertEquals(Duration.ofSeconds(2), s.maxSuspension());
    assertEquals(new SingletonSupervision.RestartWithBackoff(
        Duration.ofMillis(200), Duration.ofSeconds(10), 0.2), s.supervision());
    // The defaults fit the default election lease.
    s.checkAgainstLease(ConfigFactory.load().getDuration("regent.election.lease"));
  }

  @Test
  void everyBadValueIsReportedWithItsKey() {
    var e = assertThrows(InvalidSettingsException.class, () -> ClusterSingletonSettings.fromConfig(
        section("""
            regent.singleton.buffer-size = -1
            regent.singleton.stop-timeout = 0s
            regent.singleton.lease-margin = -1ms
            regent.singleton.supervision.strategy = resume
            regent.singleton.announce-interval = 0s
            regent.singleton.max-suspension = 0s
            """)));
    assertEquals(List.of("regent.singleton.buffer-size", "regent.singleton.stop-timeout",
        "regent.singleton.lease-margin", "regent.singleton.announce-interval",
        "regent.singleton.max-suspension", "regent.singleton.supervision.strategy"), e.keys());
    var w = assertThrows(InvalidSettingsException.class, () -> ClusterSingletonSettings
        .fromConfig(section("")).withMaxSuspension(Duration.ofMillis(-1)));
    assertEquals(List.of("regent.singleton.max-suspension"), w.keys());
  }

  @Test
  void deliverySettingsDefaultsOverridesAndBadValuesNameTheirKeys() {
    var d = ClusterSingletonSettings.fromConfig(section(""));
    assertEquals(DeliveryMode.AT_MOST_ONCE, d.delivery());
    assertEquals(OverflowPolicy.DROP_OLDEST, d.overflow());
    assertEquals(10_000, d.maxUnconfirmed());
    assertEquals(Duration.ofSeconds(1), d.resendAfter());
    var s = ClusterSingletonSettings.fromConfig(section("""
        regent.singleton.delivery = at-least-once
        regent.singleton.overflow = refuse
        regent.singleton.at-least-once.max-unconfirmed = 5
        regent.singleton.at-least-once.resend-after = 300ms
        """));
    assertEquals(DeliveryMode.AT_LEAST_ONCE, s.delivery());
    assertEquals(OverflowPolicy.REFUSE, s.overflow());
    assertEquals(5, s.maxUnconfirmed());
    assertEquals(Duration.ofMillis(300), s.resendAfter());
    assertEquals(OverflowPolicy.DROP_NEWEST,
        s.withOverflow(OverflowPolicy.DROP_NEWEST).overflow());
    var e = assertThrows(InvalidSettingsException.class, () -> ClusterSingletonSettings.fromConfig(
        section("""
            regent.singleton.delivery = exactly-once
            regent.singleton.overflow = drop-random
            regent.singleton.at-least-once.max-unconfirmed = 0
            regent.singleton.at-least-once.resend-after = 1ms
            """)));
    assertEquals(List.of("regent.singleton.delivery", "regent.singleton.overflow",
        "regent.singleton.at-least-once.max-unconfirmed",
        "regent.singleton.at-least-once.resend-after"), e.keys());
    assertTrue(e.getMessage().contains("exactly-once"), e.getMessage());
  }

  @Test
  void malformedAndBackoffProblemsNameKeys() {
    var e = assertThrows(InvalidSettingsException.class, () -> ClusterSingletonSettings.fromConfig(
        section("""
            regent.singleton.stop-timeout = soon
            regent.singleton.supervision.min-backoff = 2s
            regent.singleton.supervision.max-backoff = 1s
            """)));
    assertTrue(e.keys().contains("regent.singleton.stop-timeout"), e.getMessage());
    assertTrue(e.keys().contains("regent.singleton.supervision.max-backoff"), e.getMessage());
  }

  @Test
  void stopBudgetMustFitInsideTheLeaseNamingBothKeys() {
    var s = ClusterSingletonSettings.fromConfig(section(""))
        .withStopTimeout(Duration.ofMillis(460));
    var e = assertThrows(InvalidSettingsException.class,
        () -> s.checkAgainstLease(Duration.ofMillis(500)));
    assertTrue(e.keys().contains("regent.singleton.stop-timeout"));
    assertTrue(e.keys().contains("regent.election.lease"));
    s.withStopTimeout(Duration.ofMillis(449)).checkAgainstLease(Duration.ofMillis(500));
  }

  @Test
  void handOverTimeoutMustBeLargerThanTheStopBudgetNamingTheKeys() {
    // Default budget: 200ms + 50ms.
    var s = ClusterSingletonSettings.fromConfig(section(""));
    for (long millis : new long[] {100, 250}) {
      var e = assertThrows(InvalidSettingsException.class,
          () -> s.checkAgainstHandOverTimeout(Duration.ofMillis(millis)), millis + "ms");
      assertEquals(List.of("regent.singleton.stop-timeout", "regent.singleton.lease-margin",
          "regent.election.hand-over-timeout"), e.keys());
      assertTrue(e.getMessage().contains(millis + "ms <= 200ms + 50ms"), e.getMessage());
    }
    s.checkAgainstHandOverTimeout(Duration.ofMillis(251));
    // The default hand-over timeout fits the default budget.
    s.checkAgainstHandOverTimeout(
        ConfigFactory.load().getDuration("regent.election.hand-over-timeout"));
  }

  @Test
  void checkAgainstElectionReportsBothRulesAtOnce() {
    var s = ClusterSingletonSettings.fromConfig(section("")).withStopTimeout(Duration.ofMillis(600));
    var e = assertThrows(InvalidSettingsException.class,
        () -> s.checkAgainstElection(Duration.ofMillis(500), Duration.ofMillis(600)));
    assertTrue(e.keys().containsAll(List.of("regent.election.lease",
        "regent.election.hand-over-timeout")), e.getMessage());
    s.withStopTimeout(Duration.ofMillis(200))
        .checkAgainstElection(Duration.ofMillis(500), Duration.ofMillis(600));
  }

  @Test
  void withersValidateAndCopy() {
    var s = ClusterSingletonSettings.fromConfig(section(""));
    assertEquals(Optional.of("r"), s.withRole("r").role());
    assertEquals(Optional.empty(), s.withRole("r").withNoRole().role());
    assertEquals(5, s.withBufferSize(5).bufferSize());
    assertEquals(1000, s.bufferSize());
    assertThrows(InvalidSettingsException.class, () -> s.withBufferSize(100_001));
    assertThrows(InvalidSettingsException.class, () -> s.withStopTimeout(Duration.ZERO));
    assertThrows(InvalidSettingsException.class, () -> s.withAnnounceInterval(Duration.ZERO));
    assertEquals(Duration.ofMillis(300),
        s.withAnnounceInterval(Duration.ofMillis(300)).announceInterval());
    assertInstanceOf(SingletonSupervision.Stop.class,
        s.withSupervision(new SingletonSupervision.Stop()).supervision());
    var stop = ClusterSingletonSettings.fromConfig(
        section("regent.singleton.supervision.strategy = stop"));
    assertInstanceOf(SingletonSupervision.Stop.class, stop.supervision());
  }

  @Test
  void singletonNamesAreChecked() {
    assertThrows(IllegalArgumentException.class,
        () -> SingletonActor.of(org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "a/b"));
    assertThrows(IllegalArgumentException.class,
        () -> SingletonActor.of(org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), ""));
    assertEquals("ok-1.x", SingletonActor.of(
        org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "ok-1.x").name());
  }

  /** Pekko's settings without meaning in Regent are kept through every other change. */
  @Test
  @SuppressWarnings("deprecation")
  void pekkosSettingsWithoutMeaningAreStoredAndReturned() {
    var defaults = ClusterSingletonSettings.fromConfig(section(""));
    assertEquals(Duration.ZERO, scala.jdk.javaapi.DurationConverters.toJava(
        defaults.removalMargin()));
    assertEquals(Duration.ofSeconds(1), scala.jdk.javaapi.DurationConverters.toJava(
        defaults.handOverRetryInterval()));
    assertEquals(Optional.empty(), defaults.dataCenter());
    assertEquals(Optional.empty(), defaults.leaseSettings());
    assertEquals(Duration.ofSeconds(1), scala.jdk.javaapi.DurationConverters.toJava(
        defaults.singletonIdentificationInterval()));

    var s = defaults.withRemovalMargin(Duration.ofMillis(300))
        .withHandoverRetryInterval(scala.concurrent.duration.Duration.create(40, "ms"))
        .withDataCenter("dc2")
        .withRole("r").withBufferSize(7).withStopTimeout(Duration.ofMillis(100))
        .withLeaseMargin(Duration.ofMillis(20)).withAnnounceInterval(Duration.ofMillis(400))
        .withSupervision(new SingletonSupervision.Stop()).withNoRole();
    assertEquals(300, s.removalMargin().toMillis());
    assertEquals(40, s.handOverRetryInterval().toMillis());
    assertEquals(Optional.of("dc2"), s.dataCenter());
    assertEquals(Optional.empty(), s.withNoDataCenter().dataCenter());
    assertEquals(400, s.singletonIdentificationInterval().toMillis());
    assertEquals(7, s.bufferSize());
    assertTrue(s.toString().contains("ignored"), s.toString());
    assertTrue(!defaults.toString().contains("ignored"), defaults.toString());
  }
}
