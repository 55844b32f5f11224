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
import org.apache.pekko.coordination.lease.LeaseUsageSettings;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.DurationConverters;

/**
 * Settings of one singleton, shaped like Pekko's {@code ClusterSingletonSettings}: create them from
 * the actor system ({@code regent.singleton} in the configuration, see reference.conf) and change
 * them with {@code withX} methods. Immutable.
 *
 * <p>Values are checked when read and when changed; bad configuration refuses to start with an
 * {@link InvalidSettingsException} naming the keys. The rules that involve the election's settings
 * ({@code stop-timeout + lease-margin < regent.election.lease} and
 * {@code stop-timeout + lease-margin < regent.election.hand-over-timeout}) are checked when the
 * singleton is initialised, see {@link #checkAgainstElection}.
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
  private final Duration maxSuspension;
  private final PekkoOnly pekkoOnly;
  private final Delivery delivery;

  private ClusterSingletonSettings(Optional<String> role, int bufferSize, Duration stopTimeout,
      Duration leaseMargin, SingletonSupervision supervision, Duration announceInterval,
      Duration maxSuspension, PekkoOnly pekkoOnly, Delivery delivery) {
    this.delivery = delivery;
    this.pekkoOnly = pekkoOnly;
    this.maxSuspension = maxSuspension;
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
    Duration maxSuspension = read(problems, "max-suspension",
        () -> section.getDuration("max-suspension"));

    String deliveryMode = read(problems, "delivery", () -> section.getString("delivery"));
    String overflow = read(problems, "overflow", () -> section.getString("overflow"));
    Integer maxUnconfirmed = read(problems, "at-least-once.max-unconfirmed",
        () -> section.getInt("at-least-once.max-unconfirmed"));
    Duration resendAfter = read(problems, "at-least-once.resend-after",
        () -> section.getDuration("at-least-once.resend-after"));
    Delivery delivery = null;
    DeliveryMode mode = deliveryMode == null ? null : DeliveryMode.fromConfig(deliveryMode);
    if (deliveryMode != null && mode == null) {
      problems.add(new Problem(List.of(key("delivery")),
          "must be at-most-once or at-least-once, was '" + deliveryMode + "'"));
    }
    OverflowPolicy policy = overflow == null ? null : OverflowPolicy.fromConfig(overflow);
    if (overflow != null && policy == null) {
      problems.add(new Problem(List.of(key("overflow")),
          "must be drop-oldest, drop-newest or refuse, was '" + overflow + "'"));
    }
    if (maxUnconfirmed != null) {
      problems.addAll(maxUnconfirmedProblems(maxUnconfirmed));
    }
    if (resendAfter != null) {
      problems.addAll(resendAfterProblems(resendAfter));
    }
    if (mode != null && policy != null && maxUnconfirmed != null && resendAfter != null
        && problems.isEmpty()) {
      delivery = new Delivery(mode, policy, maxUnconfirmed, resendAfter);
    }
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
    if (maxSuspension != null) {
      problems.addAll(maxSuspensionProblems(maxSuspension));
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
        bufferSize, stopTimeout, leaseMargin, supervision, announceInterval, maxSuspension,
        PekkoOnly.DEFAULT, delivery);
  }

  /** Only nodes with this role run the singleton's manager (and may host it). */
  public ClusterSingletonSettings withRole(String role) {
    Objects.requireNonNull(role, "role");
    return new ClusterSingletonSettings(role.isEmpty() ? Optional.empty() : Optional.of(role),
        bufferSize, stopTimeout, leaseMargin, supervision, announceInterval, maxSuspension, pekkoOnly, delivery);
  }

  /** Every node runs the singleton's manager. */
  public ClusterSingletonSettings withNoRole() {
    return new ClusterSingletonSettings(Optional.empty(), bufferSize, stopTimeout, leaseMargin,
        supervision, announceInterval, maxSuspension, pekkoOnly, delivery);
  }

  /** How many messages a proxy holds while no singleton is known; 0 disables buffering. */
  public ClusterSingletonSettings withBufferSize(int bufferSize) {
    throwIfAny(bufferSizeProblems(bufferSize));
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        announceInterval, maxSuspension, pekkoOnly, delivery);
  }

  /** How long the singleton may take to stop after its stop message before it is stopped hard. */
  public ClusterSingletonSettings withStopTimeout(Duration stopTimeout) {
    Objects.requireNonNull(stopTimeout, "stopTimeout");
    throwIfAny(stopTimeoutProblems(stopTimeout));
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        announceInterval, maxSuspension, pekkoOnly, delivery);
  }

  /** Time reserved for the hard stop and scheduling delays before the lease ends. */
  public ClusterSingletonSettings withLeaseMargin(Duration leaseMargin) {
    Objects.requireNonNull(leaseMargin, "leaseMargin");
    throwIfAny(leaseMarginProblems(leaseMargin));
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        announceInterval, maxSuspension, pekkoOnly, delivery);
  }

  /** What to do when the singleton's behavior throws. */
  public ClusterSingletonSettings withSupervision(SingletonSupervision supervision) {
    Objects.requireNonNull(supervision, "supervision");
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        announceInterval, maxSuspension, pekkoOnly, delivery);
  }

  /** How often the leader's manager tells other members' proxies where the instance runs. */
  public ClusterSingletonSettings withAnnounceInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    throwIfAny(announceIntervalProblems(interval));
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        interval, maxSuspension, pekkoOnly, delivery);
  }

  /**
   * How long the instance may stay suspended (its lease not renewed in time) before it is
   * stopped; see {@code regent.singleton.max-suspension} in reference.conf.
   */
  public ClusterSingletonSettings withMaxSuspension(Duration maxSuspension) {
    Objects.requireNonNull(maxSuspension, "maxSuspension");
    throwIfAny(maxSuspensionProblems(maxSuspension));
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        announceInterval, maxSuspension, pekkoOnly, delivery);
  }

  /**
   * At-most-once (each message sent once, lost when its host fails) or at-least-once (the proxy
   * keeps each message until the singleton has processed it and resends it to the next
   * incarnation); see {@code regent.singleton.delivery} in reference.conf.
   */
  public ClusterSingletonSettings withDelivery(DeliveryMode mode) {
    Objects.requireNonNull(mode, "mode");
    return withDeliveryValues(new Delivery(mode, delivery.overflow(), delivery.maxUnconfirmed(),
        delivery.resendAfter()));
  }

  /** What the proxy does with a message when its buffer is full. */
  public ClusterSingletonSettings withOverflow(OverflowPolicy overflow) {
    Objects.requireNonNull(overflow, "overflow");
    return withDeliveryValues(new Delivery(delivery.mode(), overflow, delivery.maxUnconfirmed(),
        delivery.resendAfter()));
  }

  /** At-least-once: how many unconfirmed messages a proxy keeps. */
  public ClusterSingletonSettings withMaxUnconfirmed(int maxUnconfirmed) {
    throwIfAny(maxUnconfirmedProblems(maxUnconfirmed));
    return withDeliveryValues(new Delivery(delivery.mode(), delivery.overflow(), maxUnconfirmed,
        delivery.resendAfter()));
  }

  /** At-least-once: how long a sent message may stay unconfirmed before it is sent again. */
  public ClusterSingletonSettings withResendAfter(Duration resendAfter) {
    Objects.requireNonNull(resendAfter, "resendAfter");
    throwIfAny(resendAfterProblems(resendAfter));
    return withDeliveryValues(new Delivery(delivery.mode(), delivery.overflow(),
        delivery.maxUnconfirmed(), resendAfter));
  }

  private ClusterSingletonSettings withDeliveryValues(Delivery changed) {
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        announceInterval, maxSuspension, pekkoOnly, changed);
  }

  public DeliveryMode delivery() {
    return delivery.mode();
  }

  public OverflowPolicy overflow() {
    return delivery.overflow();
  }

  public int maxUnconfirmed() {
    return delivery.maxUnconfirmed();
  }

  public Duration resendAfter() {
    return delivery.resendAfter();
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

  public Duration maxSuspension() {
    return maxSuspension;
  }

  /**
   * How long before the lease deadline the instance must be suspended (or stopping must begin):
   * stop-timeout + lease-margin.
   */
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
    throwIfAny(leaseProblems(lease));
  }

  /**
   * Refuses settings under which every hand-over of a slow but cooperative singleton would time
   * out: a leader handing over (a requested transfer, {@code Cluster.leave}) waits at most
   * {@code regent.election.hand-over-timeout} for the instance to stop, and the instance may take
   * the whole stop budget. A timed-out hand-over steps down without telling a successor to start
   * (it waits out the lease instead), so the hand-over timeout must be larger than the budget.
   *
   * @throws InvalidSettingsException naming {@code regent.singleton.stop-timeout},
   *     {@code regent.singleton.lease-margin} and {@code regent.election.hand-over-timeout}
   */
  public void checkAgainstHandOverTimeout(Duration handOverTimeout) {
    throwIfAny(handOverProblems(handOverTimeout));
  }

  /**
   * Both {@link #checkAgainstLease} and {@link #checkAgainstHandOverTimeout}, reporting every
   * broken rule at once.
   *
   * @throws InvalidSettingsException naming the keys of every broken rule
   */
  public void checkAgainstElection(Duration lease, Duration handOverTimeout) {
    var problems = new ArrayList<Problem>(leaseProblems(lease));
    problems.addAll(handOverProblems(handOverTimeout));
    throwIfAny(problems);
  }

  private List<Problem> leaseProblems(Duration lease) {
    if (stopBudget().compareTo(lease) < 0) {
      return List.of();
    }
    return List.of(new Problem(
        List.of(key("stop-timeout"), key("lease-margin"), "regent.election.lease"),
        "stop-timeout + lease-margin must be below the election lease so the singleton has "
            + "terminated before the lease ends (" + stopTimeout.toMillis() + "ms + "
            + leaseMargin.toMillis() + "ms >= " + lease.toMillis() + "ms)"));
  }

  private List<Problem> handOverProblems(Duration handOverTimeout) {
    if (handOverTimeout.compareTo(stopBudget()) > 0) {
      return List.of();
    }
    return List.of(new Problem(
        List.of(key("stop-timeout"), key("lease-margin"), "regent.election.hand-over-timeout"),
        "regent.election.hand-over-timeout must be larger than stop-timeout + lease-margin: a"
            + " hand-over waits at most hand-over-timeout for the singleton to stop, so a"
            + " singleton that uses its stop budget would time out every hand-over ("
            + handOverTimeout.toMillis() + "ms <= " + stopTimeout.toMillis() + "ms + "
            + leaseMargin.toMillis() + "ms)"));
  }

  @Override
  public String toString() {
    return "ClusterSingletonSettings(role=" + role + ", bufferSize=" + bufferSize
        + ", stopTimeout=" + stopTimeout + ", leaseMargin=" + leaseMargin + ", supervision="
        + supervision + ", announceInterval=" + announceInterval
        + ", maxSuspension=" + maxSuspension + ", delivery=" + delivery.mode()
        + ", overflow=" + delivery.overflow() + ", maxUnconfirmed=" + delivery.maxUnconfirmed()
        + ", resendAfter=" + delivery.resendAfter()
        + (pekkoOnly.equals(PekkoOnly.DEFAULT) ? "" : ", ignored " + pekkoOnly) + ")";
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

  private static List<Problem> maxUnconfirmedProblems(int n) {
    return n < 1 || n > MAX_BUFFER_SIZE
        ? List.of(new Problem(List.of(key("at-least-once.max-unconfirmed")),
            "must be in [1, " + MAX_BUFFER_SIZE + "], was " + n))
        : List.of();
  }

  private static List<Problem> resendAfterProblems(Duration d) {
    return d.toMillis() < 10
        ? List.of(new Problem(List.of(key("at-least-once.resend-after")),
            "must be at least 10ms, was " + d))
        : List.of();
  }

  private static List<Problem> maxSuspensionProblems(Duration d) {
    return d.isNegative() || d.isZero()
        ? List.of(new Problem(List.of(key("max-suspension")), "must be positive, was " + d))
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

  // ---------------------------------------------------------------------------------------------
  // Pekko's ClusterSingletonSettings API, so that code switched by its imports compiles (checked by
  // PekkoApiCompatibilityTest). The settings below have no effect in Regent; each is kept as a
  // deprecated value that is stored and returned. docs/SINGLETON.md lists them.
  // ---------------------------------------------------------------------------------------------

  /** As Pekko's {@code ClusterSingletonSettings.apply(system)}: the same as {@link #create}. */
  public static ClusterSingletonSettings apply(ActorSystem<?> system) {
    return create(system);
  }

  /**
   * Pekko's data center of the singleton, stored and returned only.
   *
   * @deprecated no effect in Regent: one leader is elected for the whole cluster, whatever the
   *     members' data centers, so there is one instance per cluster and the proxy always routes to
   *     it (Pekko runs one per data center and lets the proxy pick one).
   */
  @Deprecated
  public Optional<String> dataCenter() {
    return pekkoOnly.dataCenter();
  }

  /** @deprecated see {@link #dataCenter()}: stored, without effect in Regent. */
  @Deprecated
  public ClusterSingletonSettings withDataCenter(String dataCenter) {
    Objects.requireNonNull(dataCenter, "dataCenter");
    return with(new PekkoOnly(Optional.of(dataCenter), pekkoOnly.removalMargin(),
        pekkoOnly.handOverRetryInterval(), pekkoOnly.leaseSettings()));
  }

  /** @deprecated see {@link #dataCenter()}: stored, without effect in Regent. */
  @Deprecated
  public ClusterSingletonSettings withNoDataCenter() {
    return with(new PekkoOnly(Optional.empty(), pekkoOnly.removalMargin(),
        pekkoOnly.handOverRetryInterval(), pekkoOnly.leaseSettings()));
  }

  /**
   * Pekko's interval at which a proxy tries to identify the singleton. Returns the
   * {@link #announceInterval()}, Regent's nearest counterpart.
   *
   * @deprecated Regent's proxies do not identify the singleton: they route by the local election
   *     view, and the leader's manager announces where the instance runs every
   *     {@code announce-interval}, the value returned here.
   */
  @Deprecated
  public FiniteDuration singletonIdentificationInterval() {
    return DurationConverters.toScala(announceInterval);
  }

  /**
   * Pekko's removal margin, stored and returned only (default 0s, as Pekko's).
   *
   * @deprecated no effect in Regent: Pekko waits this long after a member is removed before the
   *     next oldest starts the singleton, hoping the removed member has stopped its instance by
   *     then. Regent's next host starts its instance only once it holds a lease, and the old host
   *     stops its instance before its own lease can end ({@code stop-timeout},
   *     {@code lease-margin}), so there is nothing to wait for.
   */
  @Deprecated
  public FiniteDuration removalMargin() {
    return DurationConverters.toScala(pekkoOnly.removalMargin());
  }

  /** @deprecated see {@link #removalMargin()}: stored, without effect in Regent. */
  @Deprecated
  public ClusterSingletonSettings withRemovalMargin(Duration removalMargin) {
    Objects.requireNonNull(removalMargin, "removalMargin");
    return with(new PekkoOnly(pekkoOnly.dataCenter(), removalMargin,
        pekkoOnly.handOverRetryInterval(), pekkoOnly.leaseSettings()));
  }

  /** @deprecated see {@link #removalMargin()}: stored, without effect in Regent. */
  @Deprecated
  public ClusterSingletonSettings withRemovalMargin(FiniteDuration removalMargin) {
    Objects.requireNonNull(removalMargin, "removalMargin");
    return withRemovalMargin(DurationConverters.toJava(removalMargin));
  }

  /**
   * Pekko's hand-over retry interval, stored and returned only (default 1s, as Pekko's).
   *
   * @deprecated no effect in Regent: Pekko's old and new oldest members exchange hand-over
   *     messages, retried at this interval. Regent has no such exchange: the leader stops its
   *     instance, then transfers leadership, and the next leader starts the instance once it holds
   *     a lease.
   */
  @Deprecated
  public FiniteDuration handOverRetryInterval() {
    return DurationConverters.toScala(pekkoOnly.handOverRetryInterval());
  }

  /** @deprecated see {@link #handOverRetryInterval()}: stored, without effect in Regent. */
  @Deprecated
  public ClusterSingletonSettings withHandoverRetryInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    return with(new PekkoOnly(pekkoOnly.dataCenter(), pekkoOnly.removalMargin(), interval,
        pekkoOnly.leaseSettings()));
  }

  /** @deprecated see {@link #handOverRetryInterval()}: stored, without effect in Regent. */
  @Deprecated
  public ClusterSingletonSettings withHandoverRetryInterval(FiniteDuration interval) {
    Objects.requireNonNull(interval, "interval");
    return withHandoverRetryInterval(DurationConverters.toJava(interval));
  }

  /**
   * Pekko's lease for the singleton, stored and returned only.
   *
   * @deprecated no effect in Regent: no external lease is acquired. The election is Regent's
   *     lease: a node hosts the singleton only while a quorum's acknowledgement of its heartbeat
   *     lets it, and the instance is stopped before that lease can end. Fenced singletons receive
   *     a fencing token for the resources they write to.
   */
  @Deprecated
  public Optional<LeaseUsageSettings> leaseSettings() {
    return pekkoOnly.leaseSettings();
  }

  /** @deprecated see {@link #leaseSettings()}: stored, without effect in Regent. */
  @Deprecated
  public ClusterSingletonSettings withLeaseSettings(LeaseUsageSettings leaseSettings) {
    Objects.requireNonNull(leaseSettings, "leaseSettings");
    return with(new PekkoOnly(pekkoOnly.dataCenter(), pekkoOnly.removalMargin(),
        pekkoOnly.handOverRetryInterval(), Optional.of(leaseSettings)));
  }

  private ClusterSingletonSettings with(PekkoOnly changed) {
    return new ClusterSingletonSettings(role, bufferSize, stopTimeout, leaseMargin, supervision,
        announceInterval, maxSuspension, changed, delivery);
  }

  /** The delivery settings, kept together. */
  private record Delivery(DeliveryMode mode, OverflowPolicy overflow, int maxUnconfirmed,
      Duration resendAfter) {}

  /** Pekko's settings that Regent keeps without using them. */
  private record PekkoOnly(Optional<String> dataCenter, Duration removalMargin,
      Duration handOverRetryInterval, Optional<LeaseUsageSettings> leaseSettings) {
    static final PekkoOnly DEFAULT =
        new PekkoOnly(Optional.empty(), Duration.ZERO, Duration.ofSeconds(1), Optional.empty());
  }
}
