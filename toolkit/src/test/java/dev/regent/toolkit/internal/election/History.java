package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What happened in one simulated run, in simulated real time, and the safety checks over it.
 * Checks run as events are recorded, so the first violation is reported at the moment it happens.
 *
 * <ul>
 *   <li>S1: one leader per (lineage, term).
 *   <li>S2: within a lineage, the terms of acquired leases (the fencing tokens) strictly rise.
 *   <li>S3: no two singleton instances of one lineage are active at once. An instance is active
 *       from the moment the simulated singleton manager starts it, or resumes it, until its
 *       suspension takes effect (the handler running at the suspension returned) or the manager's
 *       stop has completed (its process crashed, or the stop latency drawn for it passed, cut short
 *       by the manager's hard stop), but never past the deadline of the last lease its node
 *       announced for it: past that deadline a node can only still "run" it while its process is
 *       frozen (a pause), and whatever it does after the pause is S4's business. A suspended
 *       instance is not active; checked at each start and each resume.
 *   <li>S4: a fenced resource (a FencingGuard with a pinned lineage, keyed by (lineage, term))
 *       never accepts a write of an incarnation after it accepted one of an incarnation that
 *       started later (one node's instances of one term share a token: one incarnation), and never accepts writes of two lineages.
 *   <li>X1 (two lineages): two lineages never both host while their members can communicate.
 *       Checkable form: once the scenario says that the members of both lineages are in one
 *       membership view and all links between them are up without loss (from {@code
 *       crossLineageFrom} on, which adds the time to hear each other and stop), no instant has
 *       instances of two lineages running.
 * </ul>
 */
final class History {

  /** One singleton instance (incarnation) as the simulated manager ran it. */
  static final class Instance {
    final NodeId node;
    final long lineage;
    final long term;
    final long start;
    /** When its stop completed (or the process died); MAX_VALUE while it runs. */
    long terminatedAt = Long.MAX_VALUE;
    /** The real time of the deadline of the last lease known for its term. */
    long leaseEndReal;
    /** Start of its current active stretch: its start or its last resume. */
    long activeFrom;
    /** When its current suspension takes effect; MAX_VALUE while not suspended. */
    long quietFrom = Long.MAX_VALUE;

    Instance(NodeId node, long lineage, long term, long start, long leaseEndReal) {
      this.node = node;
      this.lineage = lineage;
      this.term = term;
      this.start = start;
      this.leaseEndReal = leaseEndReal;
      this.activeFrom = start;
    }

    /** The end of its current active stretch (MAX_VALUE while it runs without an end known). */
    long end() {
      return Math.min(Math.min(terminatedAt, leaseEndReal), quietFrom);
    }

    /** The end of the instance itself: its stop, or its lease. */
    long gone() {
      return Math.min(terminatedAt, leaseEndReal);
    }

    boolean runningAt(long t) {
      return activeFrom <= t && t < end();
    }

    @Override
    public String toString() {
      return node + " lineage " + Lineage.format(lineage) + " term " + term + " ["
          + Simulation.ms(start) + (activeFrom != start ? ", resumed " + Simulation.ms(activeFrom)
          : "") + ", " + (end() == Long.MAX_VALUE ? "running" : Simulation.ms(end())) + ")";
    }
  }

  private record Key(long lineage, long term) {}

  private final List<String> violations = new ArrayList<>();
  private final Map<Key, NodeId> leaderOfTerm = new HashMap<>();
  private final Map<Long, Long> maxLeaseTerm = new HashMap<>();
  private final List<Instance> instances = new ArrayList<>();
  private int elections;
  private long crossLineageFrom = Long.MAX_VALUE;

  // The fenced resource.
  private long pinnedLineage = Lineage.NONE;
  private long highestTerm = Long.MIN_VALUE;
  private Instance newestAccepted;
  long writesAccepted;
  long writesRefusedStale;
  long writesRefusedForeign;

  List<String> violations() {
    return violations;
  }

  int elections() {
    return elections;
  }

  void violation(long at, String text) {
    violations.add("at " + Simulation.ms(at) + ": " + text);
  }

  void elected(long at, long lineage, NodeId node, long term) {
    elections++;
    NodeId previous = leaderOfTerm.putIfAbsent(new Key(lineage, term), node);
    if (previous != null && !previous.equals(node)) {
      violation(at, "S1 violated: " + node + " and " + previous + " are both leader of term "
          + term + " of lineage " + Lineage.format(lineage));
    }
  }

  void leaseAcquired(long at, long lineage, NodeId node, long term) {
    long max = maxLeaseTerm.getOrDefault(lineage, Long.MIN_VALUE);
    if (term <= max) {
      violation(at, "S2 violated: " + node + " takes a lease with token " + term + " of lineage "
          + Lineage.format(lineage) + " after a lease with token " + max + " was taken");
    }
    maxLeaseTerm.put(lineage, Math.max(max, term));
  }

  Instance instanceStarted(long at, NodeId node, long lineage, long term, long leaseEndReal) {
    var inst = new Instance(node, lineage, term, at, leaseEndReal);
    for (Instance other : instances) {
      if (other.lineage == lineage && other.end() > at) {
        violation(at, "S3 violated: " + node + " starts the singleton of term " + term
            + " while " + other + " still runs");
      }
    }
    instances.removeIf(i -> i.gone() < at - 10_000_000_000L);
    instances.add(inst);
    checkCrossLineage(at);
    return inst;
  }

  void instanceTerminated(long at, Instance inst) {
    inst.terminatedAt = Math.min(inst.terminatedAt, at);
  }

  /** The manager suspended {@code inst}; it is quiescent (no longer active) from {@code quietAt}. */
  void instanceSuspended(Instance inst, long quietAt) {
    inst.quietFrom = Math.min(inst.quietFrom, quietAt);
  }

  /** The manager resumed {@code inst}: it is active again, which no other may be. */
  void instanceResumed(long at, Instance inst) {
    if (inst.quietFrom <= at) {
      inst.activeFrom = at;
      for (Instance other : instances) {
        if (other != inst && other.lineage == inst.lineage && other.end() > at) {
          violation(at, "S3 violated: " + inst.node + " resumes the singleton of term "
              + inst.term + " while " + other + " still runs");
        }
      }
    }
    inst.quietFrom = Long.MAX_VALUE;
    checkCrossLineage(at);
  }

  /** From {@code from} on, instances of two lineages must never run at once. */
  void checkCrossLineageFrom(long from) {
    crossLineageFrom = Math.min(crossLineageFrom, from);
  }

  void checkCrossLineage(long at) {
    if (at < crossLineageFrom) {
      return;
    }
    var running = new ArrayList<Instance>();
    var lineages = new TreeSet<Long>();
    for (Instance i : instances) {
      if (i.runningAt(at)) {
        running.add(i);
        lineages.add(i.lineage);
      }
    }
    if (lineages.size() > 1) {
      violation(at, "X1 violated: two lineages host at once although their members have been able"
          + " to communicate since " + Simulation.ms(crossLineageFrom) + ": " + running);
    }
  }

  /** A write of {@code inst} reaches the fenced resource. */
  boolean write(long at, Instance inst) {
    if (pinnedLineage == Lineage.NONE) {
      pinnedLineage = inst.lineage;
    }
    if (inst.lineage != pinnedLineage) {
      writesRefusedForeign++;
      return false;
    }
    if (inst.term < highestTerm) {
      writesRefusedStale++;
      return false;
    }
    if (newestAccepted != null && !sameToken(newestAccepted, inst)
        && newestAccepted.start > inst.start) {
      violation(at, "S4 violated: the fenced resource accepts a write of " + inst + " after it"
          + " accepted one of the later incarnation " + newestAccepted);
    }
    highestTerm = inst.term;
    if (newestAccepted == null || inst.start > newestAccepted.start) {
      newestAccepted = inst;
    }
    writesAccepted++;
    return true;
  }

  /**
   * Instances the token cannot tell apart: one node's instances of one term, started one after
   * the other by its manager (a stop because the lease ran low, then a renewal), like a supervisor
   * restart that keeps its token. The guard accepts equal tokens by design.
   */
  private static boolean sameToken(Instance a, Instance b) {
    return a.node.equals(b.node) && a.term == b.term && a.lineage == b.lineage;
  }

  /** The instance running at {@code at}, if any (the first found). */
  Instance runningAt(long at) {
    for (Instance i : instances) {
      if (i.runningAt(at)) {
        return i;
      }
    }
    return null;
  }
}
