package dev.regent.toolkit.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.config.InvalidSettingsException;
import dev.regent.toolkit.internal.election.ElectionTimings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ElectionSettingsTest {

  private static Config section(String overrides) {
    return ConfigFactory.parseString("regent.election {\n" + overrides + "\n}")
        .withFallback(ConfigFactory.defaultReference())
        .resolve()
        .getConfig(ElectionSettings.PATH);
  }

  /** Asserts the settings are refused and that the message names exactly these keys. */
  private static InvalidSettingsException rejected(String overrides, String... keys) {
    var e = assertThrows(InvalidSettingsException.class,
        () -> ElectionSettings.create(section(overrides)));
    var full = List.of(keys).stream().map(k -> "regent.election." + k).toList();
    assertEquals(full, e.keys(), e.getMessage());
    for (String key : full) {
      assertTrue(e.getMessage().contains(key), e.getMessage());
    }
    return e;
  }

  @Test
  void referenceDefaults() {
    var s = ElectionSettings.create(section(""));
    assertEquals(ElectionTimings.DEFAULTS, s.timings());
    assertEquals(Optional.empty(), s.voterRole());
    assertEquals(Path.of("regent-state"), s.stateDirectory());
    assertEquals(Optional.empty(), s.nodeName());
    assertEquals(RestartBackoff.DEFAULT, s.restartBackoff());
  }

  @Test
  void readsOverrides() {
    var s = ElectionSettings.create(section("""
        heartbeat-interval = 50ms
        election-timeout-min = 400ms
        election-timeout-max = 600ms
        lease = 300ms
        max-clock-drift = 0.2
        voter-role = "voter"
        state-directory = "/var/lib/regent"
        node-name = "node-1"
        restart-backoff { min = 1s, max = 10s, random-factor = 0 }
        """));
    assertEquals(ElectionTimings.of(Duration.ofMillis(50), Duration.ofMillis(400),
        Duration.ofMillis(600), Duration.ofMillis(300), 0.2), s.timings());
    assertEquals(Optional.of("voter"), s.voterRole());
    assertEquals(Path.of("/var/lib/regent"), s.stateDirectory());
    assertEquals(Optional.of("node-1"), s.nodeName());
    assertEquals(new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 0),
        s.restartBackoff());
  }

  @Test
  void leaseAsLongAsElectionTimeoutIsRefused() {
    var e = rejected("lease = 700ms", "lease", "election-timeout-min", "max-clock-drift");
    assertTrue(e.getMessage().contains("lease * (1 + max-clock-drift)"), e.getMessage());
    assertTrue(e.getMessage().contains("regent.election.lease = 700ms"), e.getMessage());
  }

  @Test
  void leaseTooLongOnlyBecauseOfClockDriftIsRefused() {
    // 650ms * 1.1 = 715ms >= 700ms, but 650ms * 1.05 < 700ms.
    rejected("lease = 650ms", "lease", "election-timeout-min", "max-clock-drift");
    var ok = ElectionSettings.create(section("lease = 650ms\nmax-clock-drift = 0.05"));
    assertEquals(650_000_000L, ok.timings().leaseNanos());
  }

  @Test
  void heartbeatNotWellBelowLeaseIsRefused() {
    var e = rejected("heartbeat-interval = 200ms", "heartbeat-interval", "lease");
    assertTrue(e.getMessage().contains("third of the lease"), e.getMessage());
  }

  @Test
  void electionTimeoutMaxNotAboveMinIsRefused() {
    rejected("election-timeout-max = 700ms", "election-timeout-max", "election-timeout-min");
  }

  @Test
  void negativeDurationIsRefused() {
    var e = rejected("heartbeat-interval = -100ms", "heartbeat-interval");
    assertTrue(e.getMessage().contains("must be positive"), e.getMessage());
  }

  @Test
  void zeroLeaseIsRefused() {
    rejected("lease = 0s", "lease");
  }

  @Test
  void notADurationIsRefused() {
    var e = rejected("lease = soon", "lease");
    assertTrue(e.getMessage().contains("duration"), e.getMessage());
  }

  @Test
  void clockDriftOutOfRangeIsRefused() {
    rejected("max-clock-drift = 1.0", "max-clock-drift");
    rejected("max-clock-drift = -0.1", "max-clock-drift");
  }

  @Test
  void clockDriftNotANumberIsRefused() {
    rejected("max-clock-drift = lots", "max-clock-drift");
  }

  @Test
  void missingKeyIsRefused() {
    Config withoutLease = section("").withoutPath("lease");
    var e = assertThrows(InvalidSettingsException.class,
        () -> ElectionSettings.create(withoutLease));
    assertEquals(List.of("regent.election.lease"), e.keys());
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void unsafeNodeNameIsRefused() {
    rejected("node-name = \"../etc\"", "node-name");
    rejected("node-name = \"host:2551\"", "node-name");
  }

  @Test
  void emptyStateDirectoryIsRefused() {
    rejected("state-directory = \"\"", "state-directory");
  }

  @Test
  void badRestartBackoffIsRefused() {
    rejected("restart-backoff.min = 0s", "restart-backoff.min");
    rejected("restart-backoff { min = 10s, max = 1s }", "restart-backoff.max",
        "restart-backoff.min");
    rejected("restart-backoff.random-factor = 1.5", "restart-backoff.random-factor");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    var e = rejected("lease = soon\nmax-clock-drift = 2\nnode-name = \"a b\"", "lease",
        "max-clock-drift", "node-name");
    assertEquals(3, e.problems().size(), e.getMessage());
  }

  @Test
  void rulesInvolvingAnUnreadableValueAreNotReportedTwice() {
    // The lease cannot be read, so "heartbeat must be a third of the lease" is not checked.
    rejected("lease = soon\nheartbeat-interval = 400ms", "lease");
  }

  @Test
  void withTimingsValidates() {
    var s = ElectionSettings.create(section(""));
    var unsafe = ElectionTimings.of(Duration.ofMillis(100), Duration.ofMillis(500),
        Duration.ofMillis(800), Duration.ofMillis(500), 0.1);
    var e = assertThrows(InvalidSettingsException.class, () -> s.withTimings(unsafe));
    assertEquals(List.of("regent.election.lease", "regent.election.election-timeout-min",
        "regent.election.max-clock-drift"), e.keys());
    var safe = ElectionTimings.of(Duration.ofMillis(100), Duration.ofMillis(500),
        Duration.ofMillis(800), Duration.ofMillis(400), 0.1);
    assertEquals(safe, s.withTimings(safe).timings());
    assertEquals(ElectionTimings.DEFAULTS, s.timings(), "with-methods copy");
  }

  @Test
  void withMethodsCopy() {
    var s = ElectionSettings.create(section(""));
    var t = s.withVoterRole("voter").withNodeName("n1").withStateDirectory(Path.of("x"))
        .withRestartBackoff(new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5));
    assertEquals(Optional.of("voter"), t.voterRole());
    assertEquals(Optional.of("n1"), t.nodeName());
    assertEquals(Path.of("x"), t.stateDirectory());
    assertEquals(Duration.ofSeconds(1), t.restartBackoff().min());
    assertEquals(Optional.empty(), t.withVoterRole("").voterRole());
    assertEquals(Optional.empty(), s.voterRole());
    var e = assertThrows(InvalidSettingsException.class, () -> s.withNodeName("a/b"));
    assertEquals(List.of("regent.election.node-name"), e.keys());
  }

  @Test
  void everyTimingParameterHasAReferenceKey() {
    Config reference = ConfigFactory.defaultReference();
    for (ElectionTimings.Parameter p : ElectionTimings.Parameter.values()) {
      String key = ElectionSettings.keyOf(p);
      assertTrue(key.startsWith("regent.election."), key);
      assertTrue(reference.hasPath(key), key);
    }
  }

  @Test
  void restartBackoffGivesAPekkoStrategy() {
    assertFalse(RestartBackoff.DEFAULT.toSupervisorStrategy() == null);
    assertThrows(IllegalArgumentException.class,
        () -> new RestartBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0));
  }

  @Test
  void bootstrapAndHandOverDefaults() {
    var s = ElectionSettings.create(section(""));
    assertEquals(java.util.OptionalInt.empty(), s.bootstrapExpect(), "seed-nodes, unresolved");
    assertEquals(1, s.policy().bootstrapExpect(), "no seed nodes known: 1");
    assertEquals(1, s.firstTerm());
    assertEquals(Duration.ofSeconds(2), s.handOverTimeout());
    assertEquals(Duration.ofSeconds(2).toNanos(), s.policy().handOverTimeoutNanos());
    assertEquals(1, s.policy().firstTerm());
  }

  @Test
  void readsBootstrapAndHandOverOverrides() {
    var s = ElectionSettings.create(section("""
        bootstrap { expect = 3, first-term = 100 }
        hand-over-timeout = 750ms
        """));
    assertEquals(java.util.OptionalInt.of(3), s.bootstrapExpect());
    assertEquals(new dev.regent.toolkit.internal.election.ElectionPolicy(3,
        Duration.ofMillis(750).toNanos(), 100), s.policy());
    assertEquals(0, ElectionSettings.create(section("bootstrap.expect = 0")).policy()
        .bootstrapExpect(), "0 = never found");
    assertEquals(5, ElectionSettings.create(section("bootstrap.expect = \"5\""))
        .bootstrapExpect().getAsInt());
  }

  @Test
  void badBootstrapAndHandOverValuesAreRefused() {
    rejected("bootstrap.expect = -1", "bootstrap.expect");
    rejected("bootstrap.expect = many", "bootstrap.expect");
    rejected("bootstrap.expect = 2.5", "bootstrap.expect");
    rejected("bootstrap.expect = 100000", "bootstrap.expect");
    rejected("bootstrap.first-term = 0", "bootstrap.first-term");
    rejected("bootstrap.first-term = x", "bootstrap.first-term");
    rejected("hand-over-timeout = 0s", "hand-over-timeout");
    rejected("hand-over-timeout = soon", "hand-over-timeout");
    var s = ElectionSettings.create(section(""));
    assertEquals(List.of("regent.election.bootstrap.expect"),
        assertThrows(InvalidSettingsException.class, () -> s.withBootstrapExpect(-1)).keys());
    assertEquals(List.of("regent.election.hand-over-timeout"), assertThrows(
        InvalidSettingsException.class, () -> s.withHandOverTimeout(Duration.ZERO)).keys());
    assertEquals(7, s.withFirstTerm(7).firstTerm());
  }
}
