package dev.regent.toolkit.election;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened in one simulated run, in simulated real time, and the safety checks over it:
 * S1 (one leader per term), S2 (hosting terms strictly increase), S3 (no two leases overlap).
 * Checks run as events are recorded, so the first violation is reported at the moment it happens.
 */
final class History {

  /** One hosting period: from lease acquisition until step-down, crash, or the lease running out. */
  static final class Hosting {
    final NodeId node;
    final long term;
    final long start;
    long leaseEnd;
    long closedAt = Long.MAX_VALUE;

    Hosting(NodeId node, long term, long start, long leaseEnd) {
      this.node = node;
      this.term = term;
      this.start = start;
      this.leaseEnd = leaseEnd;
    }

    long end() {
      return Math.min(closedAt, leaseEnd);
    }

    @Override
    public String toString() {
      return node + " term " + term + " [" + Simulation.ms(start) + ", " + Simulation.ms(end())
          + ")";
    }
  }

  private final List<String> violations = new ArrayList<>();
  private final Map<Long, NodeId> leaderOfTerm = new HashMap<>();
  private final List<Hosting> hostings = new ArrayList<>();
  private final Map<String, Hosting> open = new HashMap<>();
  private long maxHostedTerm;
  private int elections;

  List<String> violations() {
    return violations;
  }

  int elections() {
    return elections;
  }

  void violation(long at, String text) {
    violations.add("at " + Simulation.ms(at) + ": " + text);
  }

  void elected(long at, NodeId node, long term) {
    elections++;
    NodeId previous = leaderOfTerm.putIfAbsent(term, node);
    if (previous != null && !previous.equals(node)) {
      violation(at, "S1 violated: " + node + " and " + previous + " are both leader of term " + term);
    }
  }

  void leaseAcquired(long at, NodeId node, long term, long leaseEndReal) {
    if (term <= maxHostedTerm) {
      violation(at, "S2 violated: " + node + " hosts with token " + term
          + " after a singleton already ran with token " + maxHostedTerm);
    }
    maxHostedTerm = Math.max(maxHostedTerm, term);
    for (Hosting h : hostings) {
      if (h.end() > at) {
        violation(at, "S3 violated: " + node + " acquires a lease in term " + term
            + " while " + h + " may still run");
      }
    }
    var h = new Hosting(node, term, at, leaseEndReal);
    hostings.add(h);
    open.put(node.name(), h);
  }

  void leaseRenewed(NodeId node, long leaseEndReal) {
    Hosting h = open.get(node.name());
    if (h != null && h.node.equals(node)) {
      h.leaseEnd = Math.max(h.leaseEnd, leaseEndReal);
    }
  }

  /** Step-down or crash: the singleton on this node stops now (if it was still running). */
  void hostingEnded(long at, String name) {
    Hosting h = open.remove(name);
    if (h != null) {
      h.closedAt = Math.min(h.closedAt, at);
    }
  }

  /** The node currently hosting at {@code at}, if any. */
  NodeId hostAt(long at) {
    for (Hosting h : open.values()) {
      if (h.start <= at && h.end() > at) {
        return h.node;
      }
    }
    return null;
  }
}
