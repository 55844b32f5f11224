package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import dev.regent.toolkit.testkit.SafetyChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What happened in one simulated run, in simulated real time, and the safety checks over it.
 * S1-S4 are judged by the one checker shared with the multi-JVM harness, {@link SafetyChecker}
 * (see its javadoc for the rules), fed online as events are recorded, so the first violation is
 * reported at the moment it happens. What is specific to the simulator stays here:
 *
 * <ul>
 *   <li>the facts: S1 from each node's {@code Elected}; S2 from each {@code LeaseAcquired} (the
 *       terms of acquired leases, the fencing tokens, strictly rise within a lineage); S3's active
 *       stretches: an instance is active from the moment the simulated singleton manager starts
 *       it, or resumes it, until its suspension takes effect (the handler running at the
 *       suspension returned) or the manager's stop has completed (its process crashed, or the
 *       stop latency drawn for it passed, cut short by the manager's hard stop), but never past
 *       the deadline of the last lease its node announced for it: past that deadline a node can
 *       only still "run" it while its process is frozen (a pause), and whatever it does after the
 *       pause is S4's business. A suspended instance is not active. S3 is judged per lineage
 *       here (X1 covers two lineages). S4: the simulated fenced resource (a FencingGuard with a
 *       pinned lineage, keyed by (lineage, term)) decides each write, and the checker judges the
 *       decisions (one node's instances of one term share a token: one incarnation);
 *   <li>X1 (two lineages): two lineages never both host while their members can communicate.
 *       Checkable form: once the scenario says that the members of both lineages are in one
 *       membership view and all links between them are up without loss (from {@code
 *       crossLineageFrom} on, which adds the time to hear each other and stop), no instant has
 *       instances of two lineages running.
 * </ul>
 */
final class History {

  /** Closed stretches are forgotten 10 s of simulated time after they end (long schedules). */
  private static final long PRUNE_AFTER = 10_000_000_000L;

  /** One singleton instance (incarnation) as the simulated manager ran it. */
  static final class Instance {
    final NodeId node;
    final long lineage;
    final long term;
    final long start;
    /** The same, as the safety checker knows it. */
    final SafetyChecker.Incarnation incarnation;
    /** Its current (or last) active stretch. */
    SafetyChecker.Stretch stretch;
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
      this.incarnation = new SafetyChecker.Incarnation(node.toString(), 0, lineage, term, start);
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

    /** Tells the checker the end of the current stretch as known now. */
    void sync() {
      if (terminatedAt != Long.MAX_VALUE) {
        stretch.close(end());
      } else {
        stretch.bound(end());
      }
    }

    @Override
    public String toString() {
      return node + " lineage " + Lineage.format(lineage) + " term " + term + " ["
          + Simulation.ms(start) + (activeFrom != start ? ", resumed " + Simulation.ms(activeFrom)
          : "") + ", " + (end() == Long.MAX_VALUE ? "running" : Simulation.ms(end())) + ")";
    }
  }

  private final List<String> violations = new ArrayList<>();
  private final SafetyChecker checker = new SafetyChecker(SafetyChecker.Options.defaults()
      .withCrossLineageS3(false).withPruneAfter(PRUNE_AFTER), Simulation::ms,
      v -> violation(v.at(), v.property() + " violated: " + v.message()));
  private final List<Instance> instances = new ArrayList<>();
  private int elections;
  private long crossLineageFrom = Long.MAX_VALUE;

  // The fenced resource.
  private long pinnedLineage = Lineage.NONE;
  private long highestTerm = Long.MIN_VALUE;
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
    String name = node.toString();
    checker.elected(name, name, 0, lineage, term, at);
  }

  void leaseAcquired(long at, long lineage, NodeId node, long term) {
    checker.tokenTaken(SafetyChecker.TokenKind.LEASE, node.toString(), 0, lineage, term, at);
  }

  Instance instanceStarted(long at, NodeId node, long lineage, long term, long leaseEndReal) {
    var inst = new Instance(node, lineage, term, at, leaseEndReal);
    inst.stretch = checker.stretchBegins(inst.incarnation, at);
    inst.sync();
    instances.removeIf(i -> i.gone() < at - PRUNE_AFTER);
    instances.add(inst);
    checkCrossLineage(at);
    return inst;
  }

  void instanceTerminated(long at, Instance inst) {
    inst.terminatedAt = Math.min(inst.terminatedAt, at);
    inst.sync();
  }

  /** The manager suspended {@code inst}; it is quiescent (no longer active) from {@code quietAt}. */
  void instanceSuspended(Instance inst, long quietAt) {
    inst.quietFrom = Math.min(inst.quietFrom, quietAt);
    inst.sync();
  }

  /** The manager resumed {@code inst}: it is active again, which no other may be. */
  void instanceResumed(long at, Instance inst) {
    if (inst.quietFrom <= at) {
      inst.stretch.close(inst.end());
      inst.activeFrom = at;
      checker.resumed(inst.incarnation.node(), 0, inst.lineage, inst.term, at);
      inst.quietFrom = Long.MAX_VALUE;
      inst.stretch = checker.stretchBegins(inst.incarnation, at);
    }
    inst.quietFrom = Long.MAX_VALUE;
    inst.sync();
    checkCrossLineage(at);
  }

  /** The deadline of the last lease known for {@code inst}'s term is now {@code leaseEndReal}. */
  void leaseEnds(Instance inst, long leaseEndReal) {
    if (leaseEndReal > inst.leaseEndReal) {
      inst.leaseEndReal = leaseEndReal;
      inst.sync();
    }
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

  /**
   * A write of {@code inst} reaches the fenced resource, which decides it as a FencingGuard does
   * (the first write pins its lineage; a term below the highest accepted one is refused); the
   * checker judges the decision.
   */
  boolean write(long at, Instance inst) {
    if (pinnedLineage == Lineage.NONE) {
      pinnedLineage = inst.lineage;
    }
    boolean accepted;
    if (inst.lineage != pinnedLineage) {
      writesRefusedForeign++;
      accepted = false;
    } else if (inst.term < highestTerm) {
      writesRefusedStale++;
      accepted = false;
    } else {
      highestTerm = inst.term;
      writesAccepted++;
      accepted = true;
    }
    checker.write(inst.lineage, inst.term, accepted, inst.incarnation, "", at);
    return accepted;
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
