package dev.regent.multijvm.harness;

import java.util.List;
import java.util.Map;

/**
 * A node's view of the cluster, as its control server reports it ({@code STATUS}).
 *
 * @param node the node's index
 * @param pid its process id
 * @param address its canonical {@code host:port}
 * @param selfStatus its own member status ({@code Joining}, {@code Up}, ..., or {@code Removed})
 * @param members every member it knows, {@code host:port} to status
 * @param unreachable members it currently sees as unreachable
 * @param clusterLeader the Pekko cluster leader (membership leader, not the Regent leader), or ""
 * @param blackholed addresses this node currently drops traffic to and from
 */
public record NodeStatus(int node, long pid, String address, String selfStatus,
    Map<String, String> members, List<String> unreachable, String clusterLeader,
    List<String> blackholed) {

  /** How many members this node sees with status Up. */
  public long upCount() {
    return members.values().stream().filter("Up"::equals).count();
  }
}
