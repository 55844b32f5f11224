package dev.regent.multijvm.bench;

import dev.regent.multijvm.harness.NodeSetup;
import java.time.Duration;
import java.util.List;

/**
 * The clusters of the failover benchmark: Regent and Pekko's built-in singleton, each with its
 * defaults and with a tuned profile, and (full runs) Regent default with the at-least-once proxy. docs/BENCHMARK.md lists the same values; keep them in step.
 *
 * <p>Every profile starts from {@link #COMMON}, which puts back Pekko's {@code reference.conf}
 * values where the harness's {@code NodeMain} sets faster ones for tests, so that "default" means
 * what a user gets. A tuned profile changes only the keys it lists.
 */
public final class BenchProfiles {

  private BenchProfiles() {}

  public static final String DEFAULT = "default";
  public static final String TUNED = "tuned";

  /**
   * Every profile: the benchmark messages' serializer, and Pekko 1.7.0's reference values for the
   * keys the harness changes for its own tests (gossip and leader actions every 200 ms, a 1 s
   * seed-node timeout and join retry, failure detector heartbeat 500 ms, JMX off, 5 logged dead
   * letters).
   */
  public static final String COMMON = """
      pekko.actor.serialization-bindings {
        "dev.regent.multijvm.bench.BenchSingleton$Wire" = jackson-cbor
      }
      pekko.cluster.gossip-interval = 1s
      pekko.cluster.leader-actions-interval = 1s
      pekko.cluster.seed-node-timeout = 5s
      pekko.cluster.retry-unsuccessful-join-after = 10s
      pekko.cluster.failure-detector.heartbeat-interval = 1s
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s
      pekko.cluster.jmx.enabled = on
      pekko.log-dead-letters = 10
      """;

  /** Faster membership, the same in both tuned profiles: quicker joins and removals. */
  static final String TUNED_MEMBERSHIP = """
      pekko.cluster.gossip-interval = 200ms
      pekko.cluster.leader-actions-interval = 200ms
      pekko.cluster.seed-node-timeout = 1s
      pekko.cluster.retry-unsuccessful-join-after = 1s
      """;

  public static final Profile REGENT_DEFAULT = new Profile(Measurement.REGENT, DEFAULT,
      RegentBenchSetup.class, """
      pekko.cluster.downing-provider-class = "dev.regent.toolkit.sbr.RegentDowningProvider"
      regent.split-brain-resolver.active-strategy = keep-majority
      """, Duration.ofMillis(500));

  public static final Profile PEKKO_DEFAULT = new Profile(Measurement.PEKKO, DEFAULT,
      PekkoBenchSetup.class, """
      pekko.cluster.downing-provider-class = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
      pekko.cluster.split-brain-resolver.active-strategy = keep-majority
      """, Duration.ofMillis(500));

  /**
   * Regent tuned: election timings halved (they must keep {@code lease × 1.1 <
   * election-timeout-min} and {@code heartbeat ≤ lease / 3}, which Regent checks at start-up:
   * 275 ms < 350 ms, 150 ms ≤ 250 ms), the singleton's stop budget shrunk to fit the shorter lease
   * (100 + 50 ms < 250 ms), and faster membership. Pekko's failure detector and Regent's
   * split-brain resolver stay at their defaults: the election does not wait for them.
   */
  public static final Profile REGENT_TUNED = new Profile(Measurement.REGENT, TUNED,
      RegentBenchSetup.class, REGENT_DEFAULT.config() + TUNED_MEMBERSHIP + """
      regent.election.heartbeat-interval = 50ms
      regent.election.lease = 250ms
      regent.election.election-timeout-min = 350ms
      regent.election.election-timeout-max = 500ms
      regent.singleton.stop-timeout = 100ms
      regent.singleton.lease-margin = 50ms
      """, Duration.ofMillis(250));

  /**
   * Pekko tuned (measured earlier at about 6-7 s for a crash): the failure detector at 200 ms heartbeats
   * with a 1 s acceptable pause, the split-brain resolver's {@code stable-after} at 2 s (which is
   * also the singleton's removal margin, {@code down-removal-margin} being unset), and faster
   * membership.
   */
  public static final Profile PEKKO_TUNED = new Profile(Measurement.PEKKO, TUNED,
      PekkoBenchSetup.class, PEKKO_DEFAULT.config() + TUNED_MEMBERSHIP + """
      pekko.cluster.failure-detector.heartbeat-interval = 200ms
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 1s
      pekko.cluster.split-brain-resolver.stable-after = 2s
      """, Duration.ofMillis(500));

  public static final String AT_LEAST_ONCE = "at-least-once";

  /**
   * Regent default with the at-least-once proxy ({@code regent.singleton.delivery}): the same
   * cluster as {@link #REGENT_DEFAULT} otherwise. Pekko's proxy has no such mode, so this row has
   * no Pekko counterpart; compare it with Pekko default's rows. Full runs only.
   */
  public static final Profile REGENT_AT_LEAST_ONCE = new Profile(Measurement.REGENT,
      AT_LEAST_ONCE, RegentBenchSetup.class, REGENT_DEFAULT.config() + """
      regent.singleton.delivery = at-least-once
      """, Duration.ofMillis(500));

  /** The four compared clusters in the order the rounds visit them (systems alternate). */
  public static List<Profile> all() {
    return List.of(REGENT_DEFAULT, PEKKO_DEFAULT, REGENT_TUNED, PEKKO_TUNED);
  }

  /** {@link #all()} and {@link #REGENT_AT_LEAST_ONCE}: the clusters of a full run. */
  public static List<Profile> withAtLeastOnce() {
    return List.of(REGENT_DEFAULT, PEKKO_DEFAULT, REGENT_TUNED, PEKKO_TUNED, REGENT_AT_LEAST_ONCE);
  }

  /**
   * One cluster's setup.
   *
   * @param system {@link Measurement#REGENT} or {@link Measurement#PEKKO}
   * @param profile {@link #DEFAULT} or {@link #TUNED}
   * @param setup the node setup
   * @param config the profile's own HOCON (on top of {@link #COMMON})
   * @param lease Regent's election lease in this profile; a pause lasts at least twice this (for
   *     Pekko, which has no lease, Regent's default)
   */
  public record Profile(String system, String profile, Class<? extends NodeSetup> setup,
      String config, Duration lease) {

    /** Everything the nodes get on top of the harness's configuration. */
    public String fullConfig() {
      return COMMON + config;
    }

    /** e.g. {@code Regent default}. */
    public String label() {
      return system + " " + profile;
    }

    /** e.g. {@code regent-default}, for file names. */
    public String slug() {
      return (system + "-" + profile).toLowerCase(java.util.Locale.ROOT);
    }

    public boolean isPekkoDefault() {
      return system.equals(Measurement.PEKKO) && profile.equals(DEFAULT);
    }
  }
}
