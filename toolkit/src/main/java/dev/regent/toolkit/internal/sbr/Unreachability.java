package dev.regent.toolkit.internal.sbr;

import java.util.Objects;

/**
 * One reachability record: {@code observer}'s failure detector considers {@code subject}
 * unreachable (or terminated). Records travel with gossip, so every member of a gossip-connected
 * side sees the records of all observers on that side.
 */
public record Unreachability(Node observer, Node subject) {

  public Unreachability {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(subject, "subject");
  }

  @Override
  public String toString() {
    return observer + "->" + subject;
  }
}
