package dev.regent.toolkit.metrics;

import dev.regent.toolkit.leadership.LeadershipEvent.Reason;
import java.util.Map;
import java.util.stream.Collectors;

/** The standard MBean over {@link RegentMetrics}. */
public final class ElectionMetrics implements ElectionMetricsMBean {

  private static final long MS = 1_000_000L;

  private final RegentMetrics m;

  ElectionMetrics(RegentMetrics m) {
    this.m = m;
  }

  @Override
  public String getNode() {
    return m.node();
  }

  @Override
  public long getTerm() {
    return m.term();
  }

  @Override
  public String getLeader() {
    return m.leader();
  }

  @Override
  public boolean isLeading() {
    return m.isLeader();
  }

  @Override
  public long getPreVotesStarted() {
    return m.preVotesStarted();
  }

  @Override
  public long getPreVotesRejected() {
    return m.preVotesRejected();
  }

  @Override
  public long getPeerMessagesDropped() {
    return m.peerMessagesDropped();
  }

  @Override
  public long getPeerMessagesRejected() {
    return m.peerMessagesRejected();
  }

  @Override
  public long getTlsConnectionsRefused() {
    return m.tlsConnectionsRefused();
  }

  @Override
  public long getElectionsStarted() {
    return m.electionsStarted();
  }

  @Override
  public long getElectionsWon() {
    return m.electionsWon();
  }

  @Override
  public long getElectionsLost() {
    return m.electionsLost();
  }

  @Override
  public long getLeasesAcquired() {
    return m.leasesAcquired();
  }

  @Override
  public long getLeaseRenewals() {
    return m.leaseRenewals();
  }

  @Override
  public long getLeaderChanges() {
    return m.leaderChanges();
  }

  @Override
  public long getLeaderTenureMillis() {
    return m.tenureNanos() / MS;
  }

  @Override
  public long getLastLeaderTenureMillis() {
    return m.lastTenureNanos() / MS;
  }

  @Override
  public long getLeaderKnownForMillis() {
    return m.leaderKnownForNanos() / MS;
  }

  @Override
  public long getLeaderlessForMillis() {
    return m.leaderlessForNanos() / MS;
  }

  @Override
  public long getLastLeaderlessMillis() {
    return m.lastLeaderlessNanos() / MS;
  }

  @Override
  public long getTotalLeaderlessMillis() {
    return m.totalLeaderlessNanos() / MS;
  }

  @Override
  public long getFailovers() {
    return m.failovers();
  }

  @Override
  public long getLastFailoverMillis() {
    return m.lastFailoverNanos() / MS;
  }

  @Override
  public long getMaxFailoverMillis() {
    return m.maxFailoverNanos() / MS;
  }

  @Override
  public long getLastSingletonFailoverMillis() {
    return m.lastSingletonFailoverNanos() / MS;
  }

  @Override
  public long getStepDowns() {
    return m.stepDownsTotal();
  }

  @Override
  public long getStepDownsHigherTerm() {
    return m.stepDowns(Reason.HIGHER_TERM);
  }

  @Override
  public long getStepDownsLeaseLost() {
    return m.stepDowns(Reason.LEASE_LOST);
  }

  @Override
  public long getStepDownsTransfer() {
    return m.stepDowns(Reason.TRANSFER);
  }

  @Override
  public long getStepDownsRemoved() {
    return m.stepDowns(Reason.REMOVED);
  }

  @Override
  public long getStepDownsRestarted() {
    return m.stepDowns(Reason.RESTARTED);
  }

  @Override
  public long getStepDownsShutdown() {
    return m.stepDowns(Reason.SHUTDOWN);
  }

  @Override
  public int getProxyBuffered() {
    return m.proxyBuffered();
  }

  @Override
  public long getProxyDropped() {
    return m.proxyDropped();
  }

  @Override
  public long getManagerDropped() {
    return m.managerDropped();
  }

  @Override
  public long getSingletonInstancesStarted() {
    return m.singletonInstancesStarted();
  }

  @Override
  public String getSingletonsRunningHere() {
    return join(m.singletonsRunningHere());
  }

  @Override
  public long getSplitBrainDecisions() {
    return m.splitBrainDecisions();
  }

  @Override
  public long getSplitBrainDowned() {
    return m.splitBrainDowned();
  }

  @Override
  public String getSplitBrainDecisionsByStrategy() {
    return join(m.splitBrainDecisionsByStrategy());
  }

  @Override
  public String getLastSplitBrainDecision() {
    return m.lastSplitBrainDecision();
  }

  private static String join(Map<String, ?> map) {
    return map.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
