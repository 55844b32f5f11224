package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * Messages election nodes exchange. Every message names its sender with its full {@link NodeId}
 * (so a node that lost its state is recognised as a different voter), carries the sender's term and
 * the sender's {@link Lineage lineage}.
 *
 * <p>Each record checks its fields when it is built, so a malformed message from the network (a
 * missing field, a negative or absurdly large term) fails to deserialize and never reaches the
 * core: terms and configuration indexes are bounded by {@link #MAX_TERM}, which leaves room for
 * every {@code + 1} the protocol does.
 */
public sealed interface ElectionMessage {

  /**
   * The largest term (and configuration index) a message may carry: 2^53, about 285,000 years of
   * one election per millisecond, and exact in every JSON reader.
   */
  long MAX_TERM = 1L << 53;

  long term();

  NodeId from();

  /** The sender's lineage ({@link Lineage#NONE} when it has no configuration yet). */
  long lineage();

  /**
   * Asks whether the receiver would vote for the sender in {@code term} (the sender's current term
   * plus one) without anyone changing state: a node cut off from the cluster cannot inflate terms.
   */
  record PreVoteRequest(long term, NodeId from, long lineage, ConfigId configId)
      implements ElectionMessage {
    public PreVoteRequest {
      Checks.common(term, from);
      Objects.requireNonNull(configId, "configId");
    }
  }

  record PreVoteResponse(long term, NodeId from, long lineage, boolean granted)
      implements ElectionMessage {
    public PreVoteResponse {
      Checks.common(term, from);
    }
  }

  /**
   * A real vote request. {@code transferFrom} is set when the candidate was asked to take over by the
   * leader named there; voters still following that leader then vote without waiting out their
   * promise.
   */
  record VoteRequest(long term, NodeId from, long lineage, ConfigId configId,
      Optional<NodeId> transferFrom) implements ElectionMessage {
    public VoteRequest {
      Checks.common(term, from);
      Objects.requireNonNull(configId, "configId");
      Objects.requireNonNull(transferFrom, "transferFrom");
    }
  }

  record VoteResponse(long term, NodeId from, long lineage, boolean granted)
      implements ElectionMessage {
    public VoteResponse {
      Checks.common(term, from);
    }
  }

  /**
   * The leader's heartbeat. {@code sentAt} is the leader's own monotonic clock at sending; followers
   * echo it so the leader can measure its lease from the send time. The leader's configuration rides
   * along: followers adopt it. {@code leaseNanos} is the lease the leader takes from an
   * acknowledgement: a follower's promise covers it even when its own timings differ (a rolling
   * change of timings).
   */
  record Heartbeat(long term, NodeId from, long lineage, long sentAt, VoterConfig config,
      long leaseNanos) implements ElectionMessage {
    public Heartbeat {
      Checks.common(term, from);
      Objects.requireNonNull(config, "config");
      if (leaseNanos <= 0 || leaseNanos > Checks.MAX_LEASE_NANOS) {
        throw new IllegalArgumentException("leaseNanos out of range: " + leaseNanos);
      }
      if (lineage == Lineage.NONE) {
        throw new IllegalArgumentException("a leader always has a lineage");
      }
    }
  }

  /** Acknowledges (or, when not {@code accepted}, rejects with a higher term) a heartbeat. */
  record HeartbeatAck(long term, NodeId from, long lineage, long sentAt, ConfigId configId,
      boolean accepted) implements ElectionMessage {
    public HeartbeatAck {
      Checks.common(term, from);
      Objects.requireNonNull(configId, "configId");
    }
  }

  /** Sent by a leader handing over: the receiver starts an election at once. */
  record TimeoutNow(long term, NodeId from, long lineage) implements ElectionMessage {
    public TimeoutNow {
      Checks.common(term, from);
    }
  }

  /**
   * Sent by a node without a configuration that may found a lineage, to every other eligible
   * member, before it does: it founds only if every one answers that it has no configuration and
   * agrees on who the founder is.
   *
   * @param round the sender's probe round: only answers to its latest round count
   */
  record BootstrapProbe(long term, NodeId from, long lineage, long round)
      implements ElectionMessage {
    public BootstrapProbe {
      Checks.common(term, from);
      if (round < 0) {
        throw new IllegalArgumentException("round must be >= 0, was " + round);
      }
    }
  }

  /**
   * The answer to a {@link BootstrapProbe}.
   *
   * @param hasState whether the sender has a configuration (then {@code lineage} names it)
   * @param founder the name the sender expects to found the cluster: the smallest name among the
   *     members it sees eligible ("" when it sees none)
   * @param round the probe round answered
   */
  record BootstrapReply(long term, NodeId from, long lineage, boolean hasState, String founder,
      long round) implements ElectionMessage {
    public BootstrapReply {
      Checks.common(term, from);
      Objects.requireNonNull(founder, "founder");
      if (founder.length() > NodeId.MAX_NAME_LENGTH) {
        throw new IllegalArgumentException("founder name too long");
      }
      if (round < 0) {
        throw new IllegalArgumentException("round must be >= 0, was " + round);
      }
    }
  }

  /** Field checks shared by every message. */
  final class Checks {
    /** A lease longer than an hour is not a configuration anyone runs: refuse it as malformed. */
    static final long MAX_LEASE_NANOS = 3_600_000_000_000L;

    private Checks() {}

    static void common(long term, NodeId from) {
      Objects.requireNonNull(from, "from");
      if (term < 0 || term > MAX_TERM) {
        throw new IllegalArgumentException("term out of range [0, " + MAX_TERM + "]: " + term);
      }
    }
  }
}
