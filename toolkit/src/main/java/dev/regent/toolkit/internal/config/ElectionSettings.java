package dev.regent.toolkit.internal.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import dev.regent.toolkit.config.InvalidSettingsException;
import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.internal.election.ElectionPolicy;
import dev.regent.toolkit.internal.election.ElectionTimings.Parameter;
import dev.regent.toolkit.internal.election.ElectionTimings.Violation;
import dev.regent.toolkit.internal.election.ElectionTimings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The election settings of one node, read from {@code regent.election} (see reference.conf for
 * what each key means). Immutable; {@code withX} methods return changed copies.
 *
 * <p>Everything is checked when the settings are created, so a node with unsafe timings refuses to
 * start (the lease inequality of docs/ELECTION.md §4, see {@link
 * dev.regent.toolkit.internal.election.ElectionTimings}) with an {@link InvalidSettingsException} naming the
 * keys to fix, rather than run with a lease that could let two singletons overlap.
 */
public final class ElectionSettings {

  /** Where these settings live in the configuration. */
  public static final String PATH = "regent.election";

  static final String HEARTBEAT_INTERVAL = "heartbeat-interval";
  static final String ELECTION_TIMEOUT_MIN = "election-timeout-min";
  static final String ELECTION_TIMEOUT_MAX = "election-timeout-max";
  static final String LEASE = "lease";
  static final String MAX_CLOCK_DRIFT = "max-clock-drift";
  static final String VOTER_ROLE = "voter-role";
  static final String STATE_DIRECTORY = "state-directory";
  static final String NODE_NAME = "node-name";
  static final String RESTART_BACKOFF_MIN = "restart-backoff.min";
  static final String RESTART_BACKOFF_MAX = "restart-backoff.max";
  static final String RESTART_BACKOFF_RANDOM_FACTOR = "restart-backoff.random-factor";
  static final String BOOTSTRAP_EXPECT = "bootstrap.expect";
  static final String BOOTSTRAP_FIRST_TERM = "bootstrap.first-term";
  static final String HAND_OVER_TIMEOUT = "hand-over-timeout";

  /** The value of {@code bootstrap.expect} that means "as many as pekko.cluster.seed-nodes". */
  public static final String EXPECT_SEED_NODES = "seed-nodes";
  /** The largest {@code bootstrap.expect}: a configuration never has more voters. */
  public static final int MAX_BOOTSTRAP_EXPECT = 1024;

  private final ElectionTimings timings;
  private final Optional<String> voterRole;
  private final Path stateDirectory;
  private final Optional<String> nodeName;
  private final RestartBackoff restartBackoff;
  /** Empty: {@value #EXPECT_SEED_NODES}, not resolved yet (settings read without a system). */
  private final OptionalInt bootstrapExpect;
  private final long firstTerm;
  private final Duration handOverTimeout;

  private ElectionSettings(ElectionTimings timings, Optional<String> voterRole, Path stateDirectory,
      Optional<String> nodeName, RestartBackoff restartBackoff, OptionalInt bootstrapExpect,
      long firstTerm, Duration handOverTimeout) {
    this.timings = timings;
    this.voterRole = voterRole;
    this.stateDirectory = stateDirectory;
    this.nodeName = nodeName;
    this.restartBackoff = restartBackoff;
    this.bootstrapExpect = bootstrapExpect;
    this.firstTerm = firstTerm;
    this.handOverTimeout = handOverTimeout;
  }

  /**
   * Reads {@code regent.election} from the actor system's configuration. When
   * {@code node-name} is empty, the name is derived from the system's canonical address
   * ({@link NodeNames#fromAddress}); it stays empty for a system without remoting. A
   * {@code bootstrap.expect} of {@value #EXPECT_SEED_NODES} becomes the number of
   * {@code pekko.cluster.seed-nodes}, at least 1.
   *
   * @throws InvalidSettingsException listing every malformed or unsafe value
   */
  public static ElectionSettings create(ActorSystem<?> system) {
    Config root = system.settings().config();
    ElectionSettings settings = create(root.getConfig(PATH));
    if (settings.bootstrapExpect.isEmpty()) {
      int seeds = root.hasPath("pekko.cluster.seed-nodes")
          ? root.getStringList("pekko.cluster.seed-nodes").size() : 0;
      settings = settings.withBootstrapExpect(Math.min(MAX_BOOTSTRAP_EXPECT, Math.max(1, seeds)));
    }
    if (settings.nodeName.isPresent()) {
      return settings;
    }
    var classic = (ExtendedActorSystem) system.classicSystem();
    return NodeNames.fromAddress(classic.provider().getDefaultAddress())
        .map(settings::withNodeName)
        .orElse(settings);
  }

  /**
   * Reads the settings from a {@code regent.election} section (the section itself, not the root).
   * Every key must be present; error messages name keys with the {@value #PATH} prefix.
   *
   * @throws InvalidSettingsException listing every malformed or unsafe value
   */
  public static ElectionSettings create(Config section) {
    var problems = new ArrayList<InvalidSettingsException.Problem>();
    var reader = new Reader(section, problems);

    Duration heartbeat = reader.duration(HEARTBEAT_INTERVAL);
    Duration timeoutMin = reader.duration(ELECTION_TIMEOUT_MIN);
    Duration timeoutMax = reader.duration(ELECTION_TIMEOUT_MAX);
    Duration lease = reader.duration(LEASE);
    Double drift = reader.number(MAX_CLOCK_DRIFT);
    // Values that could not be read are stood in for by the defaults, so the values that could
    // still have their own rules checked (and every problem is reported in one go); rules that
    // involve an unreadable value are not reported, since its problem already is.
    var d = ElectionTimings.DEFAULTS;
    ElectionTimings timings = new ElectionTimings(
        heartbeat != null ? heartbeat.toNanos() : d.heartbeatIntervalNanos(),
        timeoutMin != null ? timeoutMin.toNanos() : d.electionTimeoutMinNanos(),
        timeoutMax != null ? timeoutMax.toNanos() : d.electionTimeoutMaxNanos(),
        lease != null ? lease.toNanos() : d.leaseNanos(),
        drift != null ? drift : d.maxClockDrift());
    var unreadable = EnumSet.noneOf(Parameter.class);
    if (heartbeat == null) {
      unreadable.add(Parameter.HEARTBEAT_INTERVAL);
    }
    if (timeoutMin == null) {
      unreadable.add(Parameter.ELECTION_TIMEOUT_MIN);
    }
    if (timeoutMax == null) {
      unreadable.add(Parameter.ELECTION_TIMEOUT_MAX);
    }
    if (lease == null) {
      unreadable.add(Parameter.LEASE);
    }
    if (drift == null) {
      unreadable.add(Parameter.MAX_CLOCK_DRIFT);
    }
    problems.addAll(timingProblems(timings, unreadable));

    String role = reader.string(VOTER_ROLE);

    Path stateDir = null;
    String dirText = reader.string(STATE_DIRECTORY);
    if (dirText != null) {
      stateDir = parseStateDirectory(dirText, problems);
    }

    String name = reader.string(NODE_NAME);
    if (name != null) {
      problems.addAll(nodeNameProblems(name));
    }

    Duration backoffMin = reader.duration(RESTART_BACKOFF_MIN);
    Duration backoffMax = reader.duration(RESTART_BACKOFF_MAX);
    Double randomFactor = reader.number(RESTART_BACKOFF_RANDOM_FACTOR);
    RestartBackoff backoff = null;
    if (backoffMin != null && backoffMax != null && randomFactor != null) {
      var backoffProblems = backoffProblems(backoffMin, backoffMax, randomFactor);
      problems.addAll(backoffProblems);
      if (backoffProblems.isEmpty()) {
        backoff = new RestartBackoff(backoffMin, backoffMax, randomFactor);
      }
    }

    OptionalInt expect = readBootstrapExpect(section, problems);
    Long firstTerm = reader.integer(BOOTSTRAP_FIRST_TERM);
    if (firstTerm != null) {
      problems.addAll(firstTermProblems(firstTerm));
    }
    Duration handOver = reader.duration(HAND_OVER_TIMEOUT);
    if (handOver != null) {
      problems.addAll(handOverTimeoutProblems(handOver));
    }

    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return new ElectionSettings(timings, Optional.of(role).filter(r -> !r.isEmpty()), stateDir,
        Optional.of(name).filter(n -> !n.isEmpty()), backoff, expect, firstTerm, handOver);
  }

  /** {@code bootstrap.expect}: {@value #EXPECT_SEED_NODES} (empty) or an integer. */
  private static OptionalInt readBootstrapExpect(Config section,
      List<InvalidSettingsException.Problem> problems) {
    String expected = "'" + EXPECT_SEED_NODES + "' or an integer in [0, " + MAX_BOOTSTRAP_EXPECT
        + "]";
    if (!section.hasPath(BOOTSTRAP_EXPECT)) {
      problems.add(new InvalidSettingsException.Problem(List.of(key(BOOTSTRAP_EXPECT)),
          "is missing (expected " + expected + ")"));
      return OptionalInt.empty();
    }
    var value = section.getValue(BOOTSTRAP_EXPECT);
    String text = value.valueType() == ConfigValueType.STRING
        || value.valueType() == ConfigValueType.NUMBER
        ? String.valueOf(value.unwrapped()).strip() : null;
    if (EXPECT_SEED_NODES.equals(text)) {
      return OptionalInt.empty();
    }
    try {
      int n = text == null ? -1 : Integer.parseInt(text);
      if (n >= 0 && n <= MAX_BOOTSTRAP_EXPECT) {
        return OptionalInt.of(n);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(new InvalidSettingsException.Problem(List.of(key(BOOTSTRAP_EXPECT)),
        "must be " + expected + ", was " + value.render()));
    return OptionalInt.empty();
  }

  private static List<InvalidSettingsException.Problem> firstTermProblems(long term) {
    long max = ElectionMessage.MAX_TERM / 2;
    if (term >= 1 && term <= max) {
      return List.of();
    }
    return List.of(new InvalidSettingsException.Problem(List.of(key(BOOTSTRAP_FIRST_TERM)),
        "must be in [1, " + max + "], was " + term));
  }

  private static List<InvalidSettingsException.Problem> handOverTimeoutProblems(Duration d) {
    if (d.isNegative() || d.isZero()) {
      return List.of(new InvalidSettingsException.Problem(List.of(key(HAND_OVER_TIMEOUT)),
          "must be positive, was " + d));
    }
    return List.of();
  }

  /** The protocol timings; always safe ({@link ElectionTimings#violations()} is empty). */
  public ElectionTimings timings() {
    return timings;
  }

  /** Only members with this role vote; empty means every member votes. */
  public Optional<String> voterRole() {
    return voterRole;
  }

  /** The directory holding every node's state directory (possibly relative to the working dir). */
  public Path stateDirectory() {
    return stateDirectory;
  }

  /**
   * This node's name. Empty only when {@code node-name} is not configured and the settings were
   * read without an actor system with a canonical address ({@link #create(Config)}, or a system
   * without remoting).
   */
  public Optional<String> nodeName() {
    return nodeName;
  }

  /** How the election actor is restarted after a failure. */
  public RestartBackoff restartBackoff() {
    return restartBackoff;
  }

  /**
   * {@code bootstrap.expect}: how many voter-eligible members without state a node without state
   * must see before one of them founds a new cluster (0: never). Empty when the configured value
   * is {@value #EXPECT_SEED_NODES} and the settings were read without an actor system
   * ({@link #create(Config)}); {@link #create(ActorSystem)} always resolves it.
   */
  public OptionalInt bootstrapExpect() {
    return bootstrapExpect;
  }

  /** {@code bootstrap.first-term}: the lowest term of a newly founded cluster. */
  public long firstTerm() {
    return firstTerm;
  }

  /**
   * {@code hand-over-timeout}: how long a leader handing over waits for its singletons to stop
   * before it steps down without asking a successor to start early.
   */
  public Duration handOverTimeout() {
    return handOverTimeout;
  }

  /**
   * The protocol policy for the election core. An unresolved {@value #EXPECT_SEED_NODES} counts
   * as 1, as for a system without configured seed nodes.
   */
  public ElectionPolicy policy() {
    return new ElectionPolicy(bootstrapExpect.orElse(1), handOverTimeout.toNanos(), firstTerm);
  }

  /**
   * A copy with these timings.
   *
   * @throws InvalidSettingsException when the timings are unsafe, naming the keys involved
   */
  public ElectionSettings withTimings(ElectionTimings newTimings) {
    Objects.requireNonNull(newTimings, "timings");
    var problems = timingProblems(newTimings, EnumSet.noneOf(Parameter.class));
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return new ElectionSettings(newTimings, voterRole, stateDirectory, nodeName, restartBackoff,
        bootstrapExpect, firstTerm, handOverTimeout);
  }

  /** A copy in which only members with {@code role} vote; {@code ""} means every member. */
  public ElectionSettings withVoterRole(String role) {
    Objects.requireNonNull(role, "role");
    return new ElectionSettings(timings, Optional.of(role).filter(r -> !r.isEmpty()),
        stateDirectory, nodeName, restartBackoff, bootstrapExpect, firstTerm, handOverTimeout);
  }

  public ElectionSettings withStateDirectory(Path directory) {
    Objects.requireNonNull(directory, "directory");
    return new ElectionSettings(timings, voterRole, directory, nodeName, restartBackoff,
        bootstrapExpect, firstTerm, handOverTimeout);
  }

  /**
   * A copy with this node name.
   *
   * @throws InvalidSettingsException when the name is empty or has characters other than letters,
   *     digits, '.', '_' and '-'
   */
  public ElectionSettings withNodeName(String name) {
    Objects.requireNonNull(name, "name");
    var problems = name.isEmpty()
        ? List.of(new InvalidSettingsException.Problem(List.of(key(NODE_NAME)), "must not be empty"))
        : nodeNameProblems(name);
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return new ElectionSettings(timings, voterRole, stateDirectory, Optional.of(name),
        restartBackoff, bootstrapExpect, firstTerm, handOverTimeout);
  }

  public ElectionSettings withRestartBackoff(RestartBackoff backoff) {
    Objects.requireNonNull(backoff, "backoff");
    return new ElectionSettings(timings, voterRole, stateDirectory, nodeName, backoff,
        bootstrapExpect, firstTerm, handOverTimeout);
  }

  /**
   * A copy with this {@code bootstrap.expect}.
   *
   * @throws InvalidSettingsException unless {@code expect} is in [0, {@value #MAX_BOOTSTRAP_EXPECT}]
   */
  public ElectionSettings withBootstrapExpect(int expect) {
    if (expect < 0 || expect > MAX_BOOTSTRAP_EXPECT) {
      throw new InvalidSettingsException(List.of(new InvalidSettingsException.Problem(
          List.of(key(BOOTSTRAP_EXPECT)), "must be in [0, " + MAX_BOOTSTRAP_EXPECT + "], was "
              + expect)));
    }
    return new ElectionSettings(timings, voterRole, stateDirectory, nodeName, restartBackoff,
        OptionalInt.of(expect), firstTerm, handOverTimeout);
  }

  /**
   * A copy with this {@code bootstrap.first-term}.
   *
   * @throws InvalidSettingsException when the term is out of range
   */
  public ElectionSettings withFirstTerm(long term) {
    var problems = firstTermProblems(term);
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return new ElectionSettings(timings, voterRole, stateDirectory, nodeName, restartBackoff,
        bootstrapExpect, term, handOverTimeout);
  }

  /**
   * A copy with this {@code hand-over-timeout}.
   *
   * @throws InvalidSettingsException when the timeout is not positive
   */
  public ElectionSettings withHandOverTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    var problems = handOverTimeoutProblems(timeout);
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return new ElectionSettings(timings, voterRole, stateDirectory, nodeName, restartBackoff,
        bootstrapExpect, firstTerm, timeout);
  }

  /** The full configuration key of a timing parameter, e.g. {@code regent.election.lease}. */
  public static String keyOf(Parameter parameter) {
    return key(switch (parameter) {
      case HEARTBEAT_INTERVAL -> HEARTBEAT_INTERVAL;
      case ELECTION_TIMEOUT_MIN -> ELECTION_TIMEOUT_MIN;
      case ELECTION_TIMEOUT_MAX -> ELECTION_TIMEOUT_MAX;
      case LEASE -> LEASE;
      case MAX_CLOCK_DRIFT -> MAX_CLOCK_DRIFT;
    });
  }

  @Override
  public String toString() {
    return "ElectionSettings(" + timings + ", voterRole=" + voterRole + ", stateDirectory="
        + stateDirectory + ", nodeName=" + nodeName + ", " + restartBackoff + ", bootstrapExpect="
        + (bootstrapExpect.isPresent() ? bootstrapExpect.getAsInt() : EXPECT_SEED_NODES)
        + ", firstTerm=" + firstTerm + ", handOverTimeout=" + handOverTimeout + ")";
  }

  static String key(String relative) {
    return PATH + "." + relative;
  }

  /** Maps each violated timing rule to the keys involved, with the values read. */
  private static List<InvalidSettingsException.Problem> timingProblems(
      ElectionTimings t, Set<Parameter> unreadable) {
    var out = new ArrayList<InvalidSettingsException.Problem>();
    for (Violation v : t.violations()) {
      List<Parameter> involved = v.parameters();
      if (involved.stream().anyMatch(unreadable::contains)) {
        continue;
      }
      var values = new StringBuilder();
      for (Parameter p : involved) {
        values.append(values.length() == 0 ? " (" : ", ")
            .append(keyOf(p)).append(" = ").append(valueOf(p, t));
      }
      values.append(')');
      out.add(new InvalidSettingsException.Problem(
          involved.stream().map(ElectionSettings::keyOf).toList(), v.rule() + values));
    }
    return out;
  }

  private static String valueOf(Parameter p, ElectionTimings t) {
    return switch (p) {
      case HEARTBEAT_INTERVAL -> formatNanos(t.heartbeatIntervalNanos());
      case ELECTION_TIMEOUT_MIN -> formatNanos(t.electionTimeoutMinNanos());
      case ELECTION_TIMEOUT_MAX -> formatNanos(t.electionTimeoutMaxNanos());
      case LEASE -> formatNanos(t.leaseNanos());
      case MAX_CLOCK_DRIFT -> Double.toString(t.maxClockDrift());
    };
  }

  private static String formatNanos(long nanos) {
    return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + "ms" : nanos + "ns";
  }

  private static Path parseStateDirectory(
      String text, List<InvalidSettingsException.Problem> problems) {
    if (text.isBlank()) {
      problems.add(new InvalidSettingsException.Problem(List.of(key(STATE_DIRECTORY)),
          "must not be empty"));
      return null;
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      problems.add(new InvalidSettingsException.Problem(List.of(key(STATE_DIRECTORY)),
          "not a valid path: " + e.getMessage()));
      return null;
    }
  }

  private static List<InvalidSettingsException.Problem> nodeNameProblems(String name) {
    if (name.isEmpty() || NodeNames.isSafe(name)) {
      return List.of();
    }
    return List.of(new InvalidSettingsException.Problem(List.of(key(NODE_NAME)),
        "must consist of letters, digits, '.', '_' and '-' only (and not be '.' or '..'), was '"
            + name + "'; the name is also a directory name"));
  }

  private static List<InvalidSettingsException.Problem> backoffProblems(
      Duration min, Duration max, double randomFactor) {
    var out = new ArrayList<InvalidSettingsException.Problem>();
    if (min.isNegative() || min.isZero()) {
      out.add(new InvalidSettingsException.Problem(List.of(key(RESTART_BACKOFF_MIN)),
          "must be positive, was " + min));
    } else if (max.compareTo(min) < 0) {
      out.add(new InvalidSettingsException.Problem(
          List.of(key(RESTART_BACKOFF_MAX), key(RESTART_BACKOFF_MIN)),
          "must be at least the minimum (" + max + " < " + min + ")"));
    }
    if (!(randomFactor >= 0 && randomFactor <= 1)) {
      out.add(new InvalidSettingsException.Problem(List.of(key(RESTART_BACKOFF_RANDOM_FACTOR)),
          "must be in [0, 1], was " + randomFactor));
    }
    return out;
  }

  /** Reads values, turning Typesafe Config errors into problems that name the full key. */
  private record Reader(Config config, List<InvalidSettingsException.Problem> problems) {

    Duration duration(String path) {
      return read(path, "a duration such as 500ms", p -> {
        Duration d = config.getDuration(p);
        d.toNanos(); // timings are kept in nanoseconds: reject what does not fit
        return d;
      });
    }

    Long integer(String path) {
      return read(path, "an integer", config::getLong);
    }

    Double number(String path) {
      return read(path, "a number", config::getDouble);
    }

    String string(String path) {
      return read(path, "a string", config::getString);
    }

    private <T> T read(String path, String expected, Function<String, T> get) {
      try {
        return get.apply(path);
      } catch (ConfigException.Missing e) {
        problems.add(new InvalidSettingsException.Problem(List.of(key(path)),
            "is missing (expected " + expected + ")"));
      } catch (ConfigException e) {
        problems.add(new InvalidSettingsException.Problem(List.of(key(path)),
            "must be " + expected + ": " + e.getMessage()));
      } catch (ArithmeticException e) {
        problems.add(new InvalidSettingsException.Problem(List.of(key(path)), "is too large"));
      }
      return null;
    }
  }
}
