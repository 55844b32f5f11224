package dev.regent.toolkit.election;

import java.util.Optional;

/**
 * Messages election nodes exchange. Every message names its sender with its full {@link NodeId}
 * (so a node that lost its state is recognised as a different voter) and carries the sender's term.
 */
public sealed interface ElectionMessage {

  long term();

  NodeId from();

  /**
   * Asks whether the receiver would vote for the sender in {@code term} (the sender's current term
   * plus one) without anyone changing state: a node cut off from the cluster cannot inflate terms.
   */
  record PreVoteRequest(long term, NodeId from, ConfigId configId) implements ElectionMessage {}

  record PreVoteResponse(long term, NodeId from, boolean granted) implements ElectionMessage {}

  /**
   * A real vote request. {@code transferFrom} is set when the candidate was asked to take over by the
   * leader named there; voters still following that leader then vote without waiting out their
   * promise.
   */
  record VoteRequest(long term, NodeId from, ConfigId configId, Optional<NodeId> transferFrom)
      implements ElectionMessage {}

  record VoteResponse(long term, NodeId from, boolean granted) implements ElectionMessage {}

  /**
   * The leader's heartbeat. {@code sentAt} is the leader's own monotonic clock at sending; followers
   * echo it so the leader can measure its lease from the send time. The leader's configuration rides
   * along: followers adopt it.
   */
  record Heartbeat(long term, NodeId from, long sentAt, VoterConfig config)
      implements ElectionMessage {}

  /** Acknowledges (or, when not {@code accepted}, rejects with a higher term) a heartbeat. */
  record HeartbeatAck(long term, NodeId from, long sentAt, ConfigId configId, boolean accepted)
      implements ElectionMessage {}

  /** Sent by a leader handing over: the receiver starts an election at once. */
  record TimeoutNow(long term, NodeId from) implements ElectionMessage {}
}
