package dev.regent.toolkit.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/** The singletons of one node: their gauges, and which run here with which fencing token. */
final class SingletonRegistry {

  private final Map<String, SingletonGauges> gauges = new ConcurrentHashMap<>();
  /** Singletons running on this node: name → fencing token. */
  private final Map<String, Long> runningHere = new ConcurrentHashMap<>();

  void register(String name, SingletonGauges g) {
    gauges.put(name, g);
  }

  void started(String name, long token) {
    runningHere.put(name, token);
  }

  void stopped(String name) {
    runningHere.remove(name);
  }

  Map<String, SingletonGauges> gauges() {
    return Collections.unmodifiableMap(new TreeMap<>(gauges));
  }

  Map<String, Long> runningHere() {
    return Collections.unmodifiableMap(new TreeMap<>(runningHere));
  }

  /** The sum of one gauge over all singletons of this node. */
  long sum(ToLongFunction<SingletonGauges> gauge) {
    long sum = 0;
    for (var g : gauges.values()) {
      sum += gauge.applyAsLong(g);
    }
    return sum;
  }
}
