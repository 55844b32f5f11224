package dev.regent.toolkit.internal.election;

import java.time.Duration;
import java.util.List;

/**
 * The timing parameters of the protocol, in nanoseconds of each node's monotonic clock.
 *
 * <p>The safety rule (docs/ELECTION.md §4): a follower that accepted a heartbeat promises not to vote for
 * another candidate for {@code electionTimeoutMin} measured from when it <em>received</em> it; the
 * leader's lease runs {@code lease} from when it <em>sent</em> the heartbeat a quorum acknowledged.
 * Since receiving happens after sending, the lease ends before any promise does if
 * {@code lease * (1 + maxClockDrift) < electionTimeoutMin}: clocks may run at rates that differ by
 * up to that factor.
 *
 * @param heartbeatIntervalNanos how often the leader sends heartbeats
 * @param electionTimeoutMinNanos lower bound of the randomised election timeout, and the promise
 * @param electionTimeoutMaxNanos upper bound of the randomised election timeout
 * @param leaseNanos how long a quorum acknowledgement lets the leader host the singleton
 * @param maxClockDrift the largest relative difference between two nodes' clock rates (0.1 = 10%)
 */
public record ElectionTimings(
    long heartbeatIntervalNanos,
    long electionTimeoutMinNanos,
    long electionTimeoutMaxNanos,
    long leaseNanos,
    double maxClockDrift) {

  /** Defaults: about one second from a leader's crash to a new lease on a quiet network. */
  public static final ElectionTimings DEFAULTS =
      of(Duration.ofMillis(100), Duration.ofMillis(700), Duration.ofMillis(1000),
          Duration.ofMillis(500), 0.1);

  public static ElectionTimings of(
      Duration heartbeatInterval, Duration electionTimeoutMin, Duration electionTimeoutMax,
      Duration lease, double maxClockDrift) {
    return new ElectionTimings(heartbeatInterval.toNanos(), electionTimeoutMin.toNanos(),
        electionTimeoutMax.toNanos(), lease.toNanos(), maxClockDrift);
  }

  /**
   * The rules these timings must obey, as human-readable violations (empty when safe). Callers that
   * read configuration map each violation to the keys it names.
   */
  public java.util.List<Violation> violations() {
    var out = new java.util.ArrayList<Violation>();
    if (heartbeatIntervalNanos <= 0) {
      out.add(new Violation(Parameter.HEARTBEAT_INTERVAL, "must be positive"));
    }
    if (electionTimeoutMinNanos <= 0) {
      out.add(new Violation(Parameter.ELECTION_TIMEOUT_MIN, "must be positive"));
    }
    if (electionTimeoutMaxNanos <= electionTimeoutMinNanos) {
      out.add(new Violation(List.of(Parameter.ELECTION_TIMEOUT_MAX, Parameter.ELECTION_TIMEOUT_MIN),
          "must be greater than the minimum election timeout (timeouts must be randomised)"));
    }
    if (leaseNanos <= 0) {
      out.add(new Violation(Parameter.LEASE, "must be positive"));
    }
    if (!(maxClockDrift >= 0 && maxClockDrift < 1)) {
      out.add(new Violation(Parameter.MAX_CLOCK_DRIFT, "must be in [0, 1)"));
    }
    if (out.isEmpty() && leaseNanos * (1 + maxClockDrift) >= electionTimeoutMinNanos) {
      out.add(new Violation(
          List.of(Parameter.LEASE, Parameter.ELECTION_TIMEOUT_MIN, Parameter.MAX_CLOCK_DRIFT),
          "lease * (1 + max-clock-drift) must be less than the minimum election timeout, or two"
              + " singletons can run at once"));
    }
    if (out.isEmpty() && heartbeatIntervalNanos * 3 > leaseNanos) {
      out.add(new Violation(List.of(Parameter.HEARTBEAT_INTERVAL, Parameter.LEASE),
          "must be at most a third of the lease, or one lost heartbeat costs the lease"));
    }
    return out;
  }

  /** Throws {@link IllegalArgumentException} listing every violated rule. */
  public ElectionTimings validated() {
    var v = violations();
    if (!v.isEmpty()) {
      throw new IllegalArgumentException("unsafe election timings: " + v);
    }
    return this;
  }

  /** The timing parameters, for naming them in errors. */
  public enum Parameter {
    HEARTBEAT_INTERVAL, ELECTION_TIMEOUT_MIN, ELECTION_TIMEOUT_MAX, LEASE, MAX_CLOCK_DRIFT
  }

  /** One broken rule: the parameters it relates (the first is the one to change), and why. */
  public record Violation(java.util.List<Parameter> parameters, String rule) {
    public Violation {
      parameters = java.util.List.copyOf(parameters);
      if (parameters.isEmpty()) {
        throw new IllegalArgumentException("a violation names at least one parameter");
      }
    }

    Violation(Parameter parameter, String rule) {
      this(java.util.List.of(parameter), rule);
    }

    /** The parameter to change first. */
    public Parameter parameter() {
      return parameters.get(0);
    }

    @Override
    public String toString() {
      return parameters + ": " + rule;
    }
  }
}
