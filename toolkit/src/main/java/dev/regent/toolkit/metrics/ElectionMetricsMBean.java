package dev.regent.toolkit.metrics;

/**
 * JMX view of one node's Regent metrics, registered as {@code dev.regent:type=Election,node=<node>}.
 * Durations are in milliseconds; counters count since the actor system started.
 */
public interface ElectionMetricsMBean {

  /** This node's voter name. */
  String getNode();

  // election
  long getTerm();

  /** The leader this node follows; "" when none is known. */
  String getLeader();

  /** Whether this node leads with a lease. */
  boolean isLeading();

  long getPreVotesStarted();

  long getPreVotesRejected();

  /** Peer messages dropped before the election core saw them (malformed, non-member, ...). */
  long getPeerMessagesDropped();

  /** Peer messages the election core rejected (foreign lineage, no lineage, implausible term). */
  long getPeerMessagesRejected();

  /** TLS connections refused (with {@code AuditingSSLEngineProvider} configured). */
  long getTlsConnectionsRefused();

  long getElectionsStarted();

  long getElectionsWon();

  long getElectionsLost();

  /** Times this node acquired a lease (became leader able to host). */
  long getLeasesAcquired();

  long getLeaseRenewals();

  /** Times this node learned of a (new) leader. */
  long getLeaderChanges();

  /** How long this node has led, 0 when it does not. */
  long getLeaderTenureMillis();

  long getLastLeaderTenureMillis();

  /** How long the current leader has been known here, 0 when none is. */
  long getLeaderKnownForMillis();

  // time without a leader
  long getLeaderlessForMillis();

  long getLastLeaderlessMillis();

  long getTotalLeaderlessMillis();

  // failover: known leader lost -> leader known again
  long getFailovers();

  long getLastFailoverMillis();

  long getMaxFailoverMillis();

  /** Known leader lost -> a singleton running again on this node (the node that took over). */
  long getLastSingletonFailoverMillis();

  // step-downs by reason
  long getStepDowns();

  long getStepDownsHigherTerm();

  long getStepDownsLeaseLost();

  long getStepDownsTransfer();

  long getStepDownsRemoved();

  long getStepDownsRestarted();

  long getStepDownsShutdown();

  // singletons (summed over the singletons initialised on this node)
  int getProxyBuffered();

  long getProxyDropped();

  long getManagerDropped();

  long getSingletonInstancesStarted();

  /** Singletons running on this node as "name=token,...". */
  String getSingletonsRunningHere();

  // split-brain resolver
  long getSplitBrainDecisions();

  long getSplitBrainDowned();

  /** Decisions per strategy as "strategy=count,...". */
  String getSplitBrainDecisionsByStrategy();

  String getLastSplitBrainDecision();
}
