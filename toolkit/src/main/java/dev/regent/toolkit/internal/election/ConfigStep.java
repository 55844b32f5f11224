package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A leader's next voter configuration: one voter closer to the eligible members (docs/ELECTION.md,
 * §3.2). Pure: the leader's view goes in, the next voter set (if any) comes out; the leader
 * decides separately whether it may change the configuration at all (it holds a lease and is not
 * handing over) and stamps the result with its term.
 *
 * <ul>
 *   <li>Nothing changes until a quorum of the current configuration reported its id (the leader
 *       counts itself), nor while the leader itself is not eligible (it hands over instead).
 *   <li>Removals go first (downed members cannot acknowledge, so shrinking first keeps the quorum
 *       reachable): a voter other than the leader whose name is no longer eligible, or whose name
 *       was last heard under another identity that has acknowledged this leader (identities
 *       heard before this term may be stale). An old identity of the leader's own name is
 *       replaced at once: the leader is its name's current identity.
 *   <li>Then additions, by name: a leader that is not a voter of its own configuration adds
 *       itself first; then eligible members whose current identity acknowledged this leader and
 *       whose name has no voter yet (a new identity of a voter's name waits until the old one is
 *       removed).
 *   <li>One voter per step, the first in name order.
 * </ul>
 *
 * @param self the leader
 * @param config its current configuration
 * @param eligible the names of the members that should be voters
 * @param latestIds per name, the identity heard last (the leader's own name maps to itself)
 * @param acknowledged the identities that acknowledged a heartbeat of this leader's term
 * @param ackedConfig per identity, the configuration id it reported in its latest acknowledgement
 */
record ConfigStep(
    NodeId self,
    VoterConfig config,
    SortedSet<String> eligible,
    SortedMap<String, NodeId> latestIds,
    Set<NodeId> acknowledged,
    SortedMap<NodeId, ConfigId> ackedConfig) {

  ConfigStep {
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(config, "config");
    eligible = Collections.unmodifiableSortedSet(new TreeSet<>(eligible));
    latestIds = Collections.unmodifiableSortedMap(new TreeMap<>(latestIds));
    acknowledged = Collections.unmodifiableSortedSet(new TreeSet<>(acknowledged));
    ackedConfig = Collections.unmodifiableSortedMap(new TreeMap<>(ackedConfig));
  }

  /** The next voter set, or empty when the configuration stays as it is. */
  Optional<SortedSet<NodeId>> next() {
    if (!mayChange()) {
      return Optional.empty();
    }
    var voters = new TreeSet<>(config.voters());
    var removals = removals();
    var additions = additions();
    if (!removals.isEmpty()) {
      voters.remove(removals.get(0));
    } else if (!additions.isEmpty()) {
      voters.add(additions.get(0));
    }
    return voters.equals(config.voters()) ? Optional.empty() : Optional.of(voters);
  }

  /**
   * The planted defect {@code MULTI_MEMBER_CHANGE}: every pending removal and addition in one
   * step (two configurations without a common quorum).
   */
  Optional<SortedSet<NodeId>> nextAllAtOnce() {
    if (!mayChange()) {
      return Optional.empty();
    }
    var voters = new TreeSet<>(config.voters());
    voters.removeAll(removals());
    voters.addAll(additions());
    return voters.equals(config.voters()) ? Optional.empty() : Optional.of(voters);
  }

  /** Whether the leader is eligible and a quorum of the configuration reported its id. */
  boolean mayChange() {
    if (!eligible.contains(self.name())) {
      return false;
    }
    var ackedCurrent = new TreeSet<NodeId>();
    ackedCurrent.add(self);
    ackedConfig.forEach((id, cfg) -> {
      if (cfg.equals(config.id())) {
        ackedCurrent.add(id);
      }
    });
    return config.isQuorum(ackedCurrent);
  }

  /** Voters to remove, in order: not eligible any more, or replaced by a newer identity. */
  List<NodeId> removals() {
    var out = new ArrayList<NodeId>();
    for (NodeId v : config.voters()) {
      // A newer identity counts only once it acknowledged this leader: a new leader had not heard
      // from a re-added voter, took an old identity for the current one, and removed the live
      // voter (the simulator found it, seed 1033229).
      NodeId current = latestIds.getOrDefault(v.name(), v);
      boolean replaced = !current.equals(v)
          && (current.equals(self) || acknowledged.contains(current));
      if (!v.equals(self) && (!eligible.contains(v.name()) || replaced)) {
        out.add(v);
      }
    }
    return out;
  }

  /** Members to add, in order: the leader itself if it is no voter, then by name. */
  List<NodeId> additions() {
    var voterNames = new TreeSet<String>();
    config.voters().forEach(v -> voterNames.add(v.name()));
    var out = new ArrayList<NodeId>();
    if (!voterNames.contains(self.name())) {
      out.add(self);
    }
    for (String name : eligible) {
      NodeId id = latestIds.get(name);
      if (id != null && !id.equals(self) && !voterNames.contains(name)
          && acknowledged.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }
}
