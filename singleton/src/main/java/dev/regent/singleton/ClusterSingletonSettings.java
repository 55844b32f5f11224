package dev.regent.singleton;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.regent.toolkit.config.InvalidSettingsException;
import dev.regent.toolkit.config.InvalidSettingsException.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Settings of one singleton, shaped like Pekko's {@code ClusterSingletonSettings}: create them from
 * the actor system ({@code regent.singleton} in the configuration, see reference.conf) and change
 * them with {@code withX} methods. Immutable.
 *
 * <p>Values are checked when read and when changed; bad configuration refuses to start with an
 * {@link InvalidSettingsException} naming the keys. The rule that involves the election's lease
 * ({@code stop-timeout + lease-margin < regent.election.lease}) is checked when the singleton is
 * initialised, see {@link #checkAgainstLease}.
 */
public final class ClusterSingletonSettings {

  /** Where these settings live in the configuration. */
  public static final String PATH = "regent.singleton";

  static final int MAX_BUFFER_SIZE = 100_000;

  private final Optional<String> role;
  private final int bufferSize;
  private final Duration stopTimeout;
  private final Duration leaseMargin;
  private final SingletonSupervision supervision;
  private final Duration announceInterval;

  private ClusterSingletonSettings(Optional<String> role, int bufferSize, Duration stopTimeout,
      Duration leaseMargin, SingletonSupervision supervision, Duration announceInterval) {
    this.role = role;
    this.bufferSize = bufferSize;
    this.stopTimeout = stopTimeout;
    this.leaseMargin = leaseMargin;
    this.supervision = supervision;
    this.announceInterval = announceInterval;
  }

  /** Reads {@code regent.singleton} from the system's configuration. */
  public static ClusterSingletonSettings create(ActorSystem<?> system) {
    return fromConfig(system.settings().config().getConfig(PATH));
  }

  /**
   * Reads the settings from a {@code regent.singleton} section (the section itself).
   *
   * @throws InvalidSettingsException listing every malformed value with its full key
   */
  public static ClusterSingletonSettings fromConfig(Config section) {
    var problems = new ArrayList<Problem>();
    String role = read(problems, "role", () -> section.getString("role"));
    Integer bufferSize = read(problems, "buffer-size", () -> section.getInt("buffer-size"));
    Duration stopTimeout = read(problems, "stop-timeout", () -> section.getDuration("stop-timeout"));
    Duration leaseMargin = read(problems, "lease-margin", () -> section.getDuration("lease-margin"));
    String strategy = read(problems, "supervision.strategy",
        () -> section.getString("supervision.strategy"));
    Duration minBackoff = read(problems, "supervision.min-backoff",
        () -> section.getDuration("supervision.min-backoff"));
    Duration maxBackoff = read(problems, "supervision.max-backoff",
        () -> section.getDuration("supervision.max-backoff"));
    Double randomFactor = read(problems, "supervision.random-factor",
        () -> section.getDouble("supervision.random-factor"));
    Duration announceInterval = read(problems, "announce-interval",
        () -> section.getDuration("announce-interval"));

    if (bufferSize != null) {
      problems.addAll(bufferSizeProblems(bufferSize));
    }
    if (stopTimeout != null) {
      problems.addAll(stopTimeoutProblems(stopTimeout));
    }
    if (leaseMargin != null) {
      problems.addAll(leaseMarginProblems(leaseMargin));
    }
    if (announceInterval != null) {
      problems.addAll(announceIntervalProblems(announceInterval));
    }
    SingletonSupervision supervision = null;
    if (strategy != null) {
      switch (strategy) {
        case "stop" -> supervision = new SingletonSupervision.Stop();
        case "restart-with-backoff" -> {
          if (minBackoff != null && maxBackoff != null && randomFactor != null) {
            try {
              supervision =
                  new SingletonSupervision.RestartWithBackoff(minBackoff, maxBackoff, randomFactor);
            } catch (IllegalArgumentException e) {
              problems.add(new Problem(List.of(key("supervision.min-backoff"),
                  key("supervision.max-backoff"), key("supervision.random-factor")),
                  e.getMessage()));
            }
          }
        }
        default -> problems.add(new Problem(List.of(key("supervision.strategy")),
            "must be restart-with-backoff or stop, was '" + strategy + "'"));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return new ClusterSingletonSettings(role.isEmpty() ? Optional.empty() : Optional.of(role),
        bufferSize, stopTimeout, leaseMargin, supervision, announceInterval);
  }

  /** Only nodes with this role run the singleton's manager (and may host it). */
  public ClusterSingletonSettings withRole(String role) {
    Objects.requireNonNull(role, "role");
    return new ClusterSingletonSettings(role.isEmpty() ? Optional.empty() : Optional.of(role),
        bufferSize, stopTimeout, leaseMargin, supervision, announceInterval);
  }

  /** Every node runs the singleton's manager. */
  public ClusterSingletonSettings withNoRole() {
    return new ClusterSingletonSettings(Optional.empty(), bufferSize, stopTimeout, leaseMargin,
        supervision, announceInterval);
  }

  /** How many messages a proxy holds while no singleton is known; 0 disables buffering. */
  public ClusterSingletonSettings withBufferSize(int bufferSize) {
    throwIfAny(bufferSizeProblems(bufferSize));
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        announceInterval);
  }

  /** How long the singleton may take to stop after its stop message before it is stopped hard. */
  public ClusterSingletonSettings withStopTimeout(Duration stopTimeout) {
    Objects.requireNonNull(stopTimeout, "stopTimeout");
    throwIfAny(stopTimeoutProblems(stopTimeout));
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        announceInterval);
  }

  /** Time reserved for the hard stop and scheduling delays before the lease ends. */
  public ClusterSingletonSettings withLeaseMargin(Duration leaseMargin) {
    Objects.requireNonNull(leaseMargin, "leaseMargin");
    throwIfAny(leaseMarginProblems(leaseMargin));
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        announceInterval);
  }

  /** What to do when the singleton's behavior throws. */
  public ClusterSingletonSettings withSupervision(SingletonSupervision supervision) {
    Objects.requireNonNull(supervision, "supervision");
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        announceInterval);
  }

  /** How often the leader's manager tells other members' proxies where the instance runs. */
  public ClusterSingletonSettings withAnnounceInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    throwIfAny(announceIntervalProblems(interval));
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        interval);
  }

  public Optional<String> role() {
    return role;
  }

  public int bufferSize() {
    return bufferSize;
  }

  public Duration stopTimeout() {
    return stopTimeout;
  }

  public Duration leaseMargin() {
    return leaseMargin;
  }

  public SingletonSupervision supervision() {
    return supervision;
  }

  public Duration announceInterval() {
    return announceInterval;
  }

  /** How long before the lease deadline stopping must begin: stop-timeout + lease-margin. */
  public Duration stopBudget() {
    return stopTimeout.plus(leaseMargin);
  }

  /**
   * Refuses settings under which the singleton could outlive the node's lease: the stop budget
   * must be below the election lease, or a node whose lease is never renewed would still be
   * stopping its instance when another node may already host one.
   *
   * @throws InvalidSettingsException naming {@code regent.singleton.stop-timeout},
   *     {@code regent.singleton.lease-margin} and {@code regent.election.lease}
   */
  public void checkAgainstLease(Duration lease) {
    if (stopBudget().compareTo(lease) >= 0) {
      throw new InvalidSettingsException(List.of(new Problem(
          List.of(key("stop-timeout"), key("lease-margin"), "regent.election.lease"),
          "stop-timeout + lease-margin must be below the election lease so the singleton has "
              + "terminated before the lease ends (" + stopTimeout.toMillis() + "ms + "
              + leaseMargin.toMillis() + "ms >= " + lease.toMillis() + "ms)")));
    }
  }

  @Override
  public String toString() {
    return "ClusterSingletonSettings(role=" + role + ", bufferSize=" + bufferSize
        + ", stopTimeout=" + stopTimeout + ", leaseMargin=" + leaseMargin + ", supervision="
        + supervision + ", announceInterval=" + announceInterval + ")";
  }

  static String key(String relative) {
    return PATH + "." + relative;
  }

  private static List<Problem> bufferSizeProblems(int bufferSize) {
    return bufferSize < 0 || bufferSize > MAX_BUFFER_SIZE
        ? List.of(new Problem(List.of(key("buffer-size")),
            "must be in [0, " + MAX_BUFFER_SIZE + "], was " + bufferSize))
        : List.of();
  }

  private static List<Problem> stopTimeoutProblems(Duration d) {
    return d.isNegative() || d.isZero()
        ? List.of(new Problem(List.of(key("stop-timeout")), "must be positive, was " + d))
        : List.of();
  }

  private static List<Problem> leaseMarginProblems(Duration d) {
    return d.isNegative()
        ? List.of(new Problem(List.of(key("lease-margin")), "must not be negative, was " + d))
        : List.of();
  }

  private static List<Problem> announceIntervalProblems(Duration d) {
    return d.isNegative() || d.isZero()
        ? List.of(new Problem(List.of(key("announce-interval")), "must be positive, was " + d))
        : List.of();
  }

  private static void throwIfAny(List<Problem> problems) {
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
  }

  private interface Read<T> {
    T get();
  }

  private static <T> T read(List<Problem> problems, String relative, Read<T> read) {
    try {
      return read.get();
    } catch (ConfigException.Missing e) {
      problems.add(new Problem(List.of(key(relative)), "is missing"));
    } catch (ConfigException e) {
      problems.add(new Problem(List.of(key(relative)), "is malformed: " + e.getMessage()));
    }
    return null;
  }
}
