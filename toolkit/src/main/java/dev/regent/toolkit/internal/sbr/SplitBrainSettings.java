package dev.regent.toolkit.internal.sbr;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.apache.pekko.ConfigurationException;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;

/**
 * The resolver's configuration ({@code regent.split-brain-resolver}), read and validated once at
 * start-up. Every problem is reported as a {@link ConfigurationException} naming the full key, and
 * the cluster does not start.
 *
 * @param strategy the selected strategy
 * @param stableAfter how long membership and reachability must be unchanged before deciding
 * @param downAllWhenUnstable extra time after {@code stableAfter} after which, if reachability is
 *     still changing, the unstable decision is taken; {@link Duration#ZERO} means off
 * @param unstableKeepsMajority with keep-majority: the unstable decision keeps a side that holds a
 *     strict majority and each other member downs only itself ({@link UnstableDecision}) instead
 *     of every member downing all (Pekko's rule, used by every other strategy)
 * @param fastRejoin the leader tells the address of a removed, terminated incarnation that a new
 *     incarnation there may join now ({@link Rejoin}); a new incarnation acts on such hints
 */
public record SplitBrainSettings(
    Strategy strategy, Duration stableAfter, Duration downAllWhenUnstable,
    boolean unstableKeepsMajority, boolean fastRejoin) {

  public static final String PREFIX = "regent.split-brain-resolver";
  public static final String FAILURE_DETECTOR_PAUSE =
      "pekko.cluster.failure-detector.acceptable-heartbeat-pause";

  public SplitBrainSettings {
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(stableAfter, "stableAfter");
    Objects.requireNonNull(downAllWhenUnstable, "downAllWhenUnstable");
  }

  /** With fast rejoin on (the default). */
  public SplitBrainSettings(Strategy strategy, Duration stableAfter, Duration downAllWhenUnstable,
      boolean unstableKeepsMajority) {
    this(strategy, stableAfter, downAllWhenUnstable, unstableKeepsMajority, true);
  }

  /** Pekko's down-all rule when unstable. */
  public SplitBrainSettings(Strategy strategy, Duration stableAfter, Duration downAllWhenUnstable) {
    this(strategy, stableAfter, downAllWhenUnstable, false);
  }

  /** Whether the unstable verdict is decided by {@link UnstableDecision} (else: down all). */
  public boolean keepsMajorityWhenUnstable() {
    return unstableKeepsMajority && strategy instanceof KeepMajority;
  }

  /** Reads {@code regent.split-brain-resolver} from a full (resolved) system config. */
  public static SplitBrainSettings fromConfig(Config config) {
    Duration stableAfter = duration(config, PREFIX + ".stable-after");
    if (stableAfter.isNegative() || stableAfter.isZero()) {
      throw fail(PREFIX + ".stable-after", "must be > 0, was " + stableAfter.toMillis() + " ms");
    }
    if (config.hasPath(FAILURE_DETECTOR_PAUSE)) {
      Duration pause = duration(config, FAILURE_DETECTOR_PAUSE);
      if (stableAfter.compareTo(pause) < 0) {
        throw fail(
            PREFIX + ".stable-after",
            "(" + stableAfter.toMillis() + " ms) must be at least " + FAILURE_DETECTOR_PAUSE + " ("
                + pause.toMillis() + " ms): members on one side notice a partition up to that much"
                + " apart, and a decision taken before all of them have noticed it counts a side"
                + " that is still shrinking");
      }
    }
    Duration unstable = downAllWhenUnstable(config, stableAfter);
    String strategyKey = PREFIX + ".active-strategy";
    String name = string(config, strategyKey).trim().toLowerCase(Locale.ROOT);
    Strategy strategy =
        switch (name) {
          case KeepMajority.NAME -> new KeepMajority(role(config, KeepMajority.NAME));
          case StaticQuorum.NAME -> staticQuorum(config);
          case KeepOldest.NAME -> new KeepOldest(
              bool(config, PREFIX + ".keep-oldest.down-if-alone"), role(config, KeepOldest.NAME));
          case KeepReferee.NAME -> keepReferee(config);
          case DownAllStrategy.NAME -> new DownAllStrategy();
          case LeaseMajority.NAME -> leaseMajority(config, stableAfter);
          default -> throw fail(strategyKey, "unknown strategy [" + name + "]; use one of "
              + String.join(", ", KeepMajority.NAME, StaticQuorum.NAME, KeepOldest.NAME,
                  KeepReferee.NAME, DownAllStrategy.NAME, LeaseMajority.NAME));
        };
    String keepsKey = PREFIX + ".unstable-keeps-majority";
    boolean keeps = !config.hasPath(keepsKey) || bool(config, keepsKey);
    String rejoinKey = PREFIX + ".fast-rejoin";
    boolean rejoin = !config.hasPath(rejoinKey) || bool(config, rejoinKey);
    return new SplitBrainSettings(strategy, stableAfter, unstable, keeps, rejoin);
  }

  private static Duration downAllWhenUnstable(Config config, Duration stableAfter) {
    String key = PREFIX + ".down-all-when-unstable";
    String raw = string(config, key).trim().toLowerCase(Locale.ROOT);
    switch (raw) {
      case "on", "true", "yes" -> {
        Duration derived = stableAfter.multipliedBy(3).dividedBy(4);
        Duration floor = Duration.ofSeconds(4);
        return derived.compareTo(floor) < 0 ? floor : derived;
      }
      case "off", "false", "no" -> {
        return Duration.ZERO;
      }
      default -> {
        Duration d = duration(config, key);
        if (d.isNegative() || d.isZero()) {
          throw fail(key, "must be a positive duration, on or off; was " + raw);
        }
        return d;
      }
    }
  }

  private static StaticQuorum staticQuorum(Config config) {
    String key = PREFIX + ".static-quorum.quorum-size";
    if (!config.hasPath(key)) {
      throw fail(key, "is required for strategy static-quorum (the minimum number of members that"
          + " may keep running)");
    }
    int size;
    try {
      size = config.getInt(key);
    } catch (ConfigException e) {
      throw fail(key, "must be a positive integer: " + e.getMessage());
    }
    if (size < 1) {
      throw fail(key, "must be a positive integer, was " + size);
    }
    return new StaticQuorum(size, role(config, StaticQuorum.NAME));
  }

  private static KeepReferee keepReferee(Config config) {
    String key = PREFIX + ".keep-referee.address";
    String raw = string(config, key).trim();
    Address address;
    try {
      address = AddressFromURIString.parse(raw);
    } catch (Exception e) { // Pekko throws java.net.MalformedURLException without declaring it
      throw fail(key, "must be a member address like pekko://system@host:port, was [" + raw + "]");
    }
    if (address.getHost().isEmpty() || address.getPort().isEmpty()) {
      throw fail(key, "must be a remote member address with host and port, was [" + raw + "]");
    }
    String lessKey = PREFIX + ".keep-referee.down-all-if-less-than-nodes";
    int less = integer(config, lessKey);
    if (less < 1) {
      throw fail(lessKey, "must be >= 1, was " + less);
    }
    return new KeepReferee(address.getHost().get(), address.getPort().get(), less);
  }

  private static LeaseMajority leaseMajority(Config config, Duration stableAfter) {
    String implKey = PREFIX + ".lease-majority.lease-implementation";
    String impl = string(config, implKey).trim();
    if (impl.isEmpty()) {
      throw fail(implKey, "is required for strategy lease-majority: the config path of a lease"
          + " implementation (a section with lease-class)");
    }
    String classKey = impl + ".lease-class";
    if (!config.hasPath(classKey) || config.getString(classKey).isBlank()) {
      throw fail(implKey, "points at [" + impl + "] but " + classKey
          + " is not set: no lease implementation is configured there");
    }
    String delayKey = PREFIX + ".lease-majority.acquire-lease-delay-for-minority";
    Duration delay = duration(config, delayKey);
    if (delay.isNegative()) {
      throw fail(delayKey, "must not be negative");
    }
    String releaseKey = PREFIX + ".lease-majority.release-after";
    Duration release = duration(config, releaseKey);
    if (release.compareTo(stableAfter.plus(delay)) <= 0) {
      throw fail(releaseKey, "(" + release.toMillis() + " ms) must exceed stable-after plus"
          + " acquire-lease-delay-for-minority (" + stableAfter.plus(delay).toMillis()
          + " ms): the other side must have asked for the lease and been denied before it is"
          + " released");
    }
    String leaseName = string(config, PREFIX + ".lease-majority.lease-name").trim();
    return new LeaseMajority(role(config, LeaseMajority.NAME), impl, leaseName, delay, release);
  }

  /** The lease name: the configured one, else {@code <system-name>-regent-sbr}. */
  public static String leaseName(LeaseMajority strategy, String systemName) {
    return strategy.leaseName().isEmpty() ? systemName + "-regent-sbr" : strategy.leaseName();
  }

  private static java.util.Optional<String> role(Config config, String strategy) {
    return Strategy.role(string(config, PREFIX + "." + strategy + ".role").trim());
  }

  private static String string(Config config, String key) {
    try {
      return config.getString(key);
    } catch (ConfigException e) {
      throw fail(key, "is missing or not a string: " + e.getMessage());
    }
  }

  private static boolean bool(Config config, String key) {
    try {
      return config.getBoolean(key);
    } catch (ConfigException e) {
      throw fail(key, "must be on or off: " + e.getMessage());
    }
  }

  private static int integer(Config config, String key) {
    try {
      return config.getInt(key);
    } catch (ConfigException e) {
      throw fail(key, "must be an integer: " + e.getMessage());
    }
  }

  private static Duration duration(Config config, String key) {
    try {
      return config.getDuration(key);
    } catch (ConfigException e) {
      throw fail(key, "must be a duration such as 7s: " + e.getMessage());
    }
  }

  private static ConfigurationException fail(String key, String problem) {
    return new ConfigurationException("Invalid split-brain resolver configuration: " + key + " "
        + problem);
  }
}
