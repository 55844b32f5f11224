package dev.regent.toolkit.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * JDK Flight Recorder events of Regent. Each is built and committed only when recording of that
 * event is on ({@code shouldCommit()}); with recording off the cost is one check on rare paths
 * (elections, leadership changes, step-downs, split-brain decisions), never on heartbeats.
 */
public final class RegentJfr {

  private RegentJfr() {}

  @Name("dev.regent.Election")
  @Label("Regent Election")
  @Category({"Regent"})
  @Description("This node started, won or lost an election")
  public static final class ElectionEvent extends Event {
    @Label("Node")
    String node;
    @Label("Term")
    long term;
    @Label("Outcome")
    String outcome;
  }

  @Name("dev.regent.LeadershipChange")
  @Label("Regent Leadership Change")
  @Category({"Regent"})
  @Description("The leader this node follows changed (empty: no leader known)")
  public static final class LeadershipChangeEvent extends Event {
    @Label("Node")
    String node;
    @Label("Term")
    long term;
    @Label("Previous Leader")
    String previousLeader;
    @Label("Leader")
    String leader;
  }

  @Name("dev.regent.LeaseLost")
  @Label("Regent Lease Lost")
  @Category({"Regent"})
  @Description("This node stopped leading: it gave up its lease")
  public static final class LeaseLostEvent extends Event {
    @Label("Node")
    String node;
    @Label("Term")
    long term;
    @Label("Reason")
    String reason;
    @Label("Tenure")
    @Timespan(Timespan.NANOSECONDS)
    long tenure;
  }

  @Name("dev.regent.SplitBrainDecision")
  @Label("Regent Split-Brain Decision")
  @Category({"Regent"})
  @Description("The split-brain resolver on this node downed members")
  public static final class SplitBrainDecisionEvent extends Event {
    @Label("Node")
    String node;
    @Label("Election Term")
    long term;
    @Label("Strategy")
    String strategy;
    @Label("Decision")
    String decision;
    @Label("Reason")
    String reason;
    @Label("Members Downed")
    int downed;
  }

  static void election(String node, long term, String outcome) {
    var e = new ElectionEvent();
    if (e.shouldCommit()) {
      e.node = node;
      e.term = term;
      e.outcome = outcome;
      e.commit();
    }
  }

  static void leadershipChange(String node, long term, String previous, String leader) {
    var e = new LeadershipChangeEvent();
    if (e.shouldCommit()) {
      e.node = node;
      e.term = term;
      e.previousLeader = previous;
      e.leader = leader;
      e.commit();
    }
  }

  static void leaseLost(String node, long term, String reason, long tenureNanos) {
    var e = new LeaseLostEvent();
    if (e.shouldCommit()) {
      e.node = node;
      e.term = term;
      e.reason = reason;
      e.tenure = tenureNanos;
      e.commit();
    }
  }

  static void splitBrain(String node, long term, String strategy, String decision, String reason,
      int downed) {
    var e = new SplitBrainDecisionEvent();
    if (e.shouldCommit()) {
      e.node = node;
      e.term = term;
      e.strategy = strategy;
      e.decision = decision;
      e.reason = reason;
      e.downed = downed;
      e.commit();
    }
  }
}
