package dev.regent.singleton.internal;

import dev.regent.singleton.SingletonStats;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Internal API: the counters behind {@link SingletonStats}, written by the manager and proxy. */
public final class StatsCounters implements SingletonStats {

  final AtomicLong proxyDropped = new AtomicLong();
  final AtomicLong managerDropped = new AtomicLong();
  final AtomicInteger proxyBuffered = new AtomicInteger();
  final AtomicLong instancesStarted = new AtomicLong();

  @Override
  public long proxyDroppedCount() {
    return proxyDropped.get();
  }

  @Override
  public long managerDroppedCount() {
    return managerDropped.get();
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
        + ", proxyBuffered=" + proxyBuffered + ", instancesStarted=" + instancesStarted + ")";
  }
}
