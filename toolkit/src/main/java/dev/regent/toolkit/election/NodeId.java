package dev.regent.toolkit.election;

import java.util.Comparator;
import java.util.Objects;

/**
 * Identity of one voter: a stable node name (by default the canonical {@code host:port}) plus the
 * id of the durable state the node runs with.
 *
 * <p>Why the state id: a node that lost its state directory no longer remembers which votes it cast.
 * If it came back under the same identity it could vote twice in one term. Instead it comes back with
 * a fresh {@code stateId} and is therefore a <em>new</em> voter that the leader must add through the
 * normal one-member-at-a-time configuration change; the old identity is removed the same way. This
 * keeps election safety free of timing assumptions even when state is lost.
 *
 * <p>State ids are chosen so that a later state usually has a larger id (creation time in the high
 * bits); the leader keeps the largest id it has seen per name. That choice only affects liveness.
 */
public record NodeId(String name, long stateId) implements Comparable<NodeId> {

  private static final Comparator<NodeId> ORDER =
      Comparator.comparing(NodeId::name).thenComparingLong(NodeId::stateId);

  public NodeId {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("node name must not be blank");
    }
  }

  @Override
  public int compareTo(NodeId other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return name + "#" + Long.toHexString(stateId);
  }
}
