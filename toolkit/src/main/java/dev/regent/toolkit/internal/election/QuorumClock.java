package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.NodeId;
import java.util.ArrayList;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The newest time that a quorum of a configuration has acknowledged: given, per voter, the send
 * time of the newest heartbeat it acknowledged, the largest {@code t} such that a quorum of the
 * configuration's voters acknowledged a heartbeat sent at {@code t} or later. A leader's lease runs
 * from it (the leader enters its own last send time for itself). It is the quorum-th newest of the
 * voters' times, as a Raft leader's commit index is the quorum-th highest of its match indexes.
 */
public final class QuorumClock {

  private QuorumClock() {}

  /**
   * The newest send time acknowledged by a quorum of {@code config}, or empty when fewer than a
   * quorum of its voters acknowledged anything (always for a configuration without voters). Times
   * of anyone not a voter of {@code config} are ignored.
   */
  public static OptionalLong newestAcknowledged(VoterConfig config, Map<NodeId, Long> ackedAt) {
    var times = new ArrayList<Long>();
    for (NodeId v : config.voters()) {
      Long at = ackedAt.get(v);
      if (at != null) {
        times.add(at);
      }
    }
    int q = config.quorumSize();
    if (config.isEmpty() || times.size() < q) {
      return OptionalLong.empty();
    }
    times.sort((x, y) -> Long.compare(y, x));
    return OptionalLong.of(times.get(q - 1));
  }
}
