package dev.regent.toolkit.leadership;

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
 * <p>The leader takes the identity it heard last under a name as that name's current one, and
 * replaces an older identity of the same name in the configuration; which id is larger does not
 * matter (a node whose clock went back mints a smaller one). That choice only affects liveness.
 */
public record NodeId(String name, long stateId) implements Comparable<NodeId> {

  private static final Comparator<NodeId> ORDER =
      Comparator.comparing(NodeId::name).thenComparingLong(NodeId::stateId);

  /** Names longer than this are refused (a malformed or hostile message). */
  public static final int MAX_NAME_LENGTH = 255;

  public NodeId {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("node name must not be blank");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("node name longer than " + MAX_NAME_LENGTH);
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
