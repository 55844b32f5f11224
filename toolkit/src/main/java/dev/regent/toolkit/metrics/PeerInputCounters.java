package dev.regent.toolkit.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node's election refused from the network, by kind: messages dropped before the
 * election core saw them (malformed, from a non-member or another incarnation, misaddressed, a
 * sender name that does not match) and messages the core rejected (foreign lineage, no lineage,
 * implausible term); and TLS connections refused ({@code dev.regent.toolkit.tls}).
 */
final class PeerInputCounters {

  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final Map<String, AtomicLong> droppedByKind = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> rejectedByReason = new ConcurrentHashMap<>();
  private final AtomicLong tlsRefused = new AtomicLong();
  private final Map<String, AtomicLong> tlsRefusedByKind = new ConcurrentHashMap<>();

  void tlsRefused(String kind) {
    tlsRefused.incrementAndGet();
    tlsRefusedByKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
  }

  long tlsRefused() {
    return tlsRefused.get();
  }

  Map<String, Long> tlsRefusedByKind() {
    return snapshot(tlsRefusedByKind);
  }

  void dropped(String kind) {
    dropped.incrementAndGet();
    droppedByKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
  }

  void rejected(String reason) {
    rejected.incrementAndGet();
    rejectedByReason.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
  }

  long dropped() {
    return dropped.get();
  }

  long rejected() {
    return rejected.get();
  }

  Map<String, Long> droppedByKind() {
    return snapshot(droppedByKind);
  }

  Map<String, Long> rejectedByReason() {
    return snapshot(rejectedByReason);
  }

  private static Map<String, Long> snapshot(Map<String, AtomicLong> counts) {
    var m = new TreeMap<String, Long>();
    counts.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }
}
