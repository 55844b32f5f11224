package dev.regent.toolkit.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The split-brain resolver's decisions as one node saw them. */
final class SplitBrainCounters {

  private final AtomicLong decisions = new AtomicLong();
  private final AtomicLong downed = new AtomicLong();
  private final Map<String, AtomicLong> byStrategy = new ConcurrentHashMap<>();
  private volatile String last = "";

  void record(String strategy, String decision, String reason, int downedNow) {
    decisions.incrementAndGet();
    downed.addAndGet(downedNow);
    byStrategy.computeIfAbsent(strategy, k -> new AtomicLong()).incrementAndGet();
    last = strategy + ": " + decision + " (" + reason + "), downed " + downedNow;
  }

  long decisions() {
    return decisions.get();
  }

  long downed() {
    return downed.get();
  }

  Map<String, Long> byStrategy() {
    var m = new TreeMap<String, Long>();
    byStrategy.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  String last() {
    return last;
  }
}
