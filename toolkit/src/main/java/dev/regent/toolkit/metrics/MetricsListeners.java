package dev.regent.toolkit.metrics;

import java.util.Arrays;
import java.util.function.ObjLongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one node's {@link RegentMetrics}: a copy-on-write array, so that notifying
 * takes no lock. A listener that throws is logged and skipped; the others still see the event.
 */
final class MetricsListeners {

  private static final Logger log = LoggerFactory.getLogger(MetricsListeners.class);

  private volatile RegentMetricsListener[] listeners = new RegentMetricsListener[0];

  synchronized void add(RegentMetricsListener l) {
    var next = Arrays.copyOf(listeners, listeners.length + 1);
    next[listeners.length] = l;
    listeners = next;
  }

  synchronized void remove(RegentMetricsListener l) {
    listeners = Arrays.stream(listeners).filter(x -> x != l).toArray(RegentMetricsListener[]::new);
  }

  /**
   * Calls {@code event} on every listener with {@code value}. Frequent events pass a
   * non-capturing method reference ({@code RegentMetricsListener::onLeaseRenewed}), which the JVM
   * creates once: notifying then allocates nothing.
   */
  void fire(ObjLongConsumer<RegentMetricsListener> event, long value) {
    for (var l : listeners) {
      try {
        event.accept(l, value);
      } catch (RuntimeException e) {
        log.warn("A RegentMetricsListener threw; ignoring: {}", e.toString());
      }
    }
  }
}
