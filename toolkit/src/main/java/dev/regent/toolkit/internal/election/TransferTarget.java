package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.NodeId;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The voter a leader hands over to (it sends it {@code TimeoutNow}). The target must be able to
 * campaign: a voter that is no longer eligible (leaving, downed, not Up) or that restarted as a
 * newer identity ignores {@code TimeoutNow}, and the hand-over would then wait a whole election
 * timeout. So, among the voters other than the leader that acknowledged this leader's term: first
 * those that can campaign, then those that reported the current configuration, then the freshest
 * acknowledgement; ties go to the first voter in order. Only if none can campaign, any voter that
 * acknowledged (it changes nothing for safety, only who is asked). None when no other voter
 * acknowledged.
 */
final class TransferTarget {

  private TransferTarget() {}

  /**
   * @param self the leader
   * @param config its configuration
   * @param eligible the names of the members that should be voters
   * @param latestIds per name, the identity heard last
   * @param ackedSentAt per identity, the send time of the newest heartbeat of this term it
   *     acknowledged
   * @param ackedConfig per identity, the configuration id it reported with it
   */
  static Optional<NodeId> choose(NodeId self, VoterConfig config, Set<String> eligible,
      Map<String, NodeId> latestIds, Map<NodeId, Long> ackedSentAt,
      Map<NodeId, ConfigId> ackedConfig) {
    Optional<NodeId> target = Optional.empty();
    boolean bestCanCampaign = false;
    boolean bestHasConfig = false;
    long best = Long.MIN_VALUE;
    for (NodeId v : config.voters()) {
      Long at = ackedSentAt.get(v);
      if (v.equals(self) || at == null) {
        continue;
      }
      boolean canCampaign =
          eligible.contains(v.name()) && latestIds.getOrDefault(v.name(), v).equals(v);
      boolean hasConfig = config.id().equals(ackedConfig.get(v));
      int byCampaign = Boolean.compare(canCampaign, bestCanCampaign);
      int byConfig = Boolean.compare(hasConfig, bestHasConfig);
      if (target.isEmpty() || byCampaign > 0
          || (byCampaign == 0 && (byConfig > 0 || (byConfig == 0 && at > best)))) {
        target = Optional.of(v);
        bestCanCampaign = canCampaign;
        bestHasConfig = hasConfig;
        best = at;
      }
    }
    return target;
  }
}
