package dev.regent.toolkit.internal.sbr;

import java.util.Comparator;
import java.util.Objects;

/**
 * One cluster member incarnation as the resolver sees it: canonical host and port plus the
 * incarnation's unique id. Ordered like Pekko orders member addresses (host, then port, then uid),
 * so "the member with the lowest address" is the same member on every side of a partition.
 */
public record Node(String host, int port, long uid) implements Comparable<Node> {

  private static final Comparator<Node> ORDER =
      Comparator.comparing(Node::host).thenComparingInt(Node::port).thenComparingLong(Node::uid);

  public Node {
    Objects.requireNonNull(host, "host");
  }

  /** Whether this node listens on {@code host:port} (any incarnation). */
  public boolean isAt(String otherHost, int otherPort) {
    return host.equals(otherHost) && port == otherPort;
  }

  @Override
  public int compareTo(Node other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return host + ":" + port + "#" + uid;
  }
}
