package dev.regent.multijvm.harness;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A multi-JVM test's history: every {@link HistoryEvent}, ordered by {@code nanos}.
 *
 * @param events the events in time order
 */
public record History(List<HistoryEvent> events) {

  public History {
    var sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(HistoryEvent::nanos));
    events = List.copyOf(sorted);
  }

  /** The events of one type, in order. */
  public <T extends HistoryEvent> List<T> of(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The time of the last event, or 0 for an empty history. */
  public long endNanos() {
    return events.isEmpty() ? 0 : events.get(events.size() - 1).nanos();
  }

  /**
   * The singleton incarnations active at the end of the history: started, and neither stopped nor
   * ended with their process. In start order.
   */
  public List<HistoryEvent.SingletonStarted> activeIncarnations() {
    var open = new java.util.LinkedHashMap<List<Long>, HistoryEvent.SingletonStarted>();
    for (HistoryEvent e : events) {
      if (e instanceof HistoryEvent.SingletonStarted s) {
        open.put(List.of(s.pid(), s.lineage(), s.token()), s);
      } else if (e instanceof HistoryEvent.SingletonStopped s) {
        open.remove(List.of(s.pid(), s.lineage(), s.token()));
      } else if (e instanceof HistoryEvent.NodeExited x) {
        open.values().removeIf(s -> s.pid() == x.pid());
      }
    }
    return List.copyOf(open.values());
  }

  /** One JSON line per event, times relative to the first event: for failure messages. */
  public String render() {
    long t0 = events.isEmpty() ? 0 : events.get(0).nanos();
    return events.stream()
        .map(e -> String.format("%+9.3f s  %s", (e.nanos() - t0) / 1e9, HistoryRecorder.toJson(e)))
        .collect(Collectors.joining("\n"));
  }
}
