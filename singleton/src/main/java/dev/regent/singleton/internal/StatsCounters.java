package dev.regent.singleton.internal;

import dev.regent.singleton.SingletonStats;
import dev.regent.toolkit.metrics.RegentMetrics;
import dev.regent.toolkit.metrics.SingletonGauges;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Internal API: the counters behind {@link SingletonStats}, written by the manager and proxy. */
public final class StatsCounters implements SingletonStats, SingletonGauges {

  private final String name;
  private final RegentMetrics metrics;

  /** Counters of singleton {@code name}, registered with this node's {@code metrics}. */
  public StatsCounters(String name, RegentMetrics metrics) {
    this.name = name;
    this.metrics = metrics;
    metrics.registerSingleton(name, this);
  }

  /** Unregistered counters (tests). */
  public StatsCounters() {
    this.name = "";
    this.metrics = null;
  }

  void instanceStarted(long token) {
    instancesStarted.incrementAndGet();
    if (metrics != null) {
      metrics.singletonStarted(name, token);
    }
  }

  void instanceStopped() {
    if (metrics != null) {
      metrics.singletonStopped(name);
    }
  }

  void proxyDropped() {
    proxyDropped.incrementAndGet();
    if (metrics != null) {
      metrics.proxyDropped(name);
    }
  }

  void proxyRefused() {
    proxyRefused.incrementAndGet();
  }

  void proxyResent(int n) {
    proxyResent.addAndGet(n);
  }

  void duplicateConfirmation() {
    duplicateConfirmations.incrementAndGet();
  }

  void suspendedDropped() {
    suspendedDropped.incrementAndGet();
  }

  void suspended() {
    suspensions.incrementAndGet();
  }

  void resumed() {
    resumes.incrementAndGet();
  }

  final AtomicLong proxyDropped = new AtomicLong();
  final AtomicLong suspendedDropped = new AtomicLong();
  final AtomicLong suspensions = new AtomicLong();
  final AtomicLong resumes = new AtomicLong();
  final AtomicLong managerDropped = new AtomicLong();
  final AtomicInteger proxyBuffered = new AtomicInteger();
  final AtomicLong instancesStarted = new AtomicLong();
  final AtomicLong proxyRefused = new AtomicLong();
  final AtomicLong proxyResent = new AtomicLong();
  final AtomicLong duplicateConfirmations = new AtomicLong();
  final AtomicInteger proxyUnconfirmed = new AtomicInteger();
  final AtomicLong proxyDirectSends = new AtomicLong();
  /** At-least-once messages a manager did not hand on to another leader (their proxy resends). */
  final AtomicLong managerLeftToProxy = new AtomicLong();
  /** Confirmations not sent: the lease was not valid, or the behavior withheld them. */
  final AtomicLong confirmationsWithheld = new AtomicLong();
  /**
   * Times an instance held a message because its lease had ended by the clock before its
   * manager's timer suspended it (a process woken from a pause).
   */
  final AtomicLong leaseEndHolds = new AtomicLong();

  @Override
  public long proxyRefusedCount() {
    return proxyRefused.get();
  }

  @Override
  public long proxyResentCount() {
    return proxyResent.get();
  }

  @Override
  public int proxyUnconfirmed() {
    return proxyUnconfirmed.get();
  }

  @Override
  public long duplicateConfirmations() {
    return duplicateConfirmations.get();
  }

  @Override
  public long proxyDirectSends() {
    return proxyDirectSends.get();
  }

  @Override
  public long proxyDroppedCount() {
    return proxyDropped.get();
  }

  @Override
  public long managerDroppedCount() {
    return managerDropped.get();
  }

  @Override
  public long suspendedDroppedCount() {
    return suspendedDropped.get();
  }

  @Override
  public long suspensions() {
    return suspensions.get();
  }

  @Override
  public long resumes() {
    return resumes.get();
  }

  @Override
  public int proxyBuffered() {
    return proxyBuffered.get();
  }

  @Override
  public long instancesStarted() {
    return instancesStarted.get();
  }

  @Override
  public String toString() {
    return "SingletonStats(proxyDropped=" + proxyDropped + ", managerDropped=" + managerDropped
        + ", suspendedDropped=" + suspendedDropped + ", proxyBuffered=" + proxyBuffered
        + ", instancesStarted=" + instancesStarted + ", suspensions=" + suspensions
        + ", resumes=" + resumes + ", proxyRefused=" + proxyRefused + ", proxyResent="
        + proxyResent + ", proxyUnconfirmed=" + proxyUnconfirmed + ", duplicateConfirmations="
        + duplicateConfirmations + ", proxyDirectSends=" + proxyDirectSends
        + ", managerLeftToProxy=" + managerLeftToProxy + ", confirmationsWithheld="
        + confirmationsWithheld + ", leaseEndHolds=" + leaseEndHolds + ")";
  }
}
