package dev.regent.singleton;

import dev.regent.toolkit.fencing.FencedStore;
import dev.regent.toolkit.fencing.FencingToken;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Effectively-once processing on top of at-least-once delivery: remembers which
 * {@link DeliveryId}s (proxy id, sequence number) a singleton has processed, so that a message
 * sent again after a failover is recognised and skipped. Use it from the behavior with
 * {@link SingletonContext#currentDelivery()}.
 *
 * <p>The record must survive the incarnation, or the next one cannot recognise a duplicate:
 * persist {@link #snapshot()} in the same (fenced) write as the state it protects, and start the
 * next incarnation with {@link #restore}. Kept compact per proxy: every sequence number up to a
 * floor, plus the few processed above it out of order (resends after a failover arrive behind
 * newer messages for a moment); at most {@code maxAbovePerProxy} of those, beyond which the floor
 * is moved up (the oldest gap is assumed never to arrive; a message that does arrive for it later
 * is treated as a duplicate and counted). For a store that keeps one marker per message,
 * {@link #applyOnce} writes the effect and the marker in one fenced step.
 *
 * <p>Not thread-safe: owned by one singleton incarnation.
 */
public final class DeliveryDedupe {

  /**
   * One proxy's processed messages: every {@code seq <= floor}, and those in {@code above}.
   *
   * @param floor every sequence number up to this one was processed (0: none)
   * @param above the ones processed above the floor, ascending
   */
  public record Window(long floor, long[] above) {
    public Window {
      Objects.requireNonNull(above, "above");
      above = above.clone();
    }

    @Override
    public long[] above() {
      return above.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Window w && w.floor == floor && Arrays.equals(w.above, above);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(floor) * 31 + Arrays.hashCode(above);
    }

    @Override
    public String toString() {
      return "Window(floor=" + floor + ", above=" + Arrays.toString(above) + ")";
    }
  }

  /** What {@link #applyOnce} did. */
  public enum Outcome {
    /** First delivery: the effect and its marker were written. */
    APPLIED,
    /** Already processed: nothing written. */
    DUPLICATE,
    /** The token is stale (this incarnation was deposed): nothing written, nothing recorded. */
    FENCED
  }

  private static final class Mutable {
    long floor;
    final TreeSet<Long> above = new TreeSet<>();
  }

  private final int maxAbovePerProxy;
  private final Map<String, Mutable> windows = new HashMap<>();
  private long duplicates;

  /** An empty record keeping at most 10,000 out-of-order ids per proxy. */
  public DeliveryDedupe() {
    this(10_000);
  }

  public DeliveryDedupe(int maxAbovePerProxy) {
    if (maxAbovePerProxy < 1) {
      throw new IllegalArgumentException("maxAbovePerProxy must be positive, was "
          + maxAbovePerProxy);
    }
    this.maxAbovePerProxy = maxAbovePerProxy;
  }

  /** A record that continues from a {@link #snapshot()} (the previous incarnation's). */
  public static DeliveryDedupe restore(Map<String, Window> snapshot, int maxAbovePerProxy) {
    var d = new DeliveryDedupe(maxAbovePerProxy);
    snapshot.forEach((proxy, w) -> {
      var m = new Mutable();
      m.floor = w.floor();
      for (long s : w.above()) {
        m.above.add(s);
      }
      d.windows.put(proxy, m);
    });
    return d;
  }

  /** Whether {@code id} was processed already (not counted). */
  public boolean processed(DeliveryId id) {
    Mutable m = windows.get(id.proxyId());
    return m != null && (id.seq() <= m.floor || m.above.contains(id.seq()));
  }

  /**
   * Records {@code id} as processed.
   *
   * @return true the first time; false for a duplicate (counted in {@link #duplicates()})
   */
  public boolean markProcessed(DeliveryId id) {
    if (processed(id)) {
      duplicates++;
      return false;
    }
    Mutable m = windows.computeIfAbsent(id.proxyId(), k -> new Mutable());
    m.above.add(id.seq());
    while (!m.above.isEmpty() && m.above.first() == m.floor + 1) {
      m.floor = m.above.pollFirst();
    }
    while (m.above.size() > maxAbovePerProxy) {
      m.floor = m.above.pollFirst();
      while (!m.above.isEmpty() && m.above.first() == m.floor + 1) {
        m.floor = m.above.pollFirst();
      }
    }
    return true;
  }

  /** Duplicates seen by {@link #markProcessed} (and {@link #applyOnce}) so far. */
  public long duplicates() {
    return duplicates;
  }

  /** The record, to persist next to the state it protects. */
  public Map<String, Window> snapshot() {
    var out = new HashMap<String, Window>();
    windows.forEach((proxy, m) -> out.put(proxy,
        new Window(m.floor, m.above.stream().mapToLong(Long::longValue).toArray())));
    return Map.copyOf(out);
  }

  /** The marker key {@link #applyOnce} writes for {@code id}. */
  public static String markerKey(DeliveryId id) {
    return "regent.delivered/" + id.proxyId() + "/" + id.seq();
  }

  /**
   * {@link #applyOnce(FencedStore, FencingToken, DeliveryId, Map)} for the message being processed
   * ({@link SingletonContext#currentDelivery()}, with the incarnation's token). When the store
   * refuses the token the confirmation is withheld ({@link SingletonContext#withholdConfirmation}),
   * so the message stays with its proxy for the current incarnation. A message without a delivery
   * id (sent at most once, or not through a proxy) is written unconditionally, fenced.
   */
  public Outcome applyOnce(SingletonContext ctx, FencedStore store, Map<String, Long> writes) {
    Optional<DeliveryId> id = ctx.currentDelivery();
    Outcome outcome;
    if (id.isPresent()) {
      outcome = applyOnce(store, ctx.fencingToken(), id.get(), writes);
    } else {
      boolean ok = true;
      for (var e : writes.entrySet()) {
        ok &= store.put(ctx.fencingToken(), e.getKey(), e.getValue());
      }
      outcome = ok ? Outcome.APPLIED : Outcome.FENCED;
    }
    if (outcome == Outcome.FENCED) {
      ctx.withholdConfirmation();
    }
    return outcome;
  }

  /**
   * Writes {@code writes} and the marker of {@code id} to {@code store} in one fenced step, unless
   * the marker is there already (a duplicate). A deposed incarnation (stale {@code token}) writes
   * nothing and records nothing. Also records {@code id} here when applied or a duplicate.
   */
  public Outcome applyOnce(FencedStore store, FencingToken token, DeliveryId id,
      Map<String, Long> writes) {
    if (processed(id)) {
      duplicates++;
      return Outcome.DUPLICATE;
    }
    switch (store.putAllOnce(token, markerKey(id), writes)) {
      case APPLIED -> {
        markProcessed(id);
        return Outcome.APPLIED;
      }
      case ALREADY_APPLIED -> {
        markProcessed(id);
        duplicates++;
        return Outcome.DUPLICATE;
      }
      default -> {
        return Outcome.FENCED;
      }
    }
  }
}
