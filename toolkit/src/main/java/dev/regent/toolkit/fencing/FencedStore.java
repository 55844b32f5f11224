package dev.regent.toolkit.fencing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory key/value store that plays the downstream resource of a fenced singleton: every
 * write carries the writer's {@link FencingToken}, and a write with a token older than one already
 * accepted, or of another lineage than the one the store is pinned to, is refused (S4; see
 * {@link FencingGuard}: the first accepted token pins the lineage, {@link #moveToLineage} moves it
 * after a deliberate re-creation of the cluster). Reads are unfenced.
 *
 * <p>Check and write happen under one lock: otherwise a deposed writer could pass the check, be
 * overtaken by the new incarnation's write, and then overwrite it.
 *
 * <p>Tests (in-JVM and multi-JVM) read {@link #history()} to see which incarnation wrote what and
 * {@link #rejected()} to see what was refused. Thread-safe.
 */
public final class FencedStore {

  /** One write attempt, in the order the store saw it. */
  public record Write(FencingToken token, String key, long value, boolean accepted) {}

  private final FencingGuard guard;
  private final Map<String, Long> data = new HashMap<>();
  private final List<Write> history = new CopyOnWriteArrayList<>();

  /** A store that pins the lineage of the first token it accepts. */
  public FencedStore() {
    this.guard = new FencingGuard();
  }

  /** A store pinned to {@code lineage}, accepting its tokens from {@code minTerm} on. */
  public FencedStore(long lineage, long minTerm) {
    this.guard = new FencingGuard(lineage, minTerm);
  }

  /**
   * Operator action after a deliberate re-creation of the cluster: see
   * {@link FencingGuard#moveToLineage}.
   */
  public synchronized void moveToLineage(long lineage, long minTerm) {
    guard.moveToLineage(lineage, minTerm);
  }

  /** The lineage this store is pinned to, if any. */
  public java.util.OptionalLong lineage() {
    return guard.lineage();
  }

  /**
   * Writes {@code value} under {@code key} when {@code token} is not stale and of the pinned
   * lineage.
   *
   * @return whether the write took effect
   */
  public synchronized boolean put(FencingToken token, String key, long value) {
    boolean accepted = guard.tryAccept(token);
    if (accepted) {
      data.put(key, value);
    }
    history.add(new Write(token, key, value, accepted));
    return accepted;
  }

  /**
   * Adds {@code delta} to the counter under {@code key} (absent = 0) when {@code token} is not
   * stale.
   *
   * @return the new value, or empty when the write was refused
   */
  public synchronized Optional<Long> increment(FencingToken token, String key, long delta) {
    if (!guard.tryAccept(token)) {
      history.add(new Write(token, key, delta, false));
      return Optional.empty();
    }
    long next = data.getOrDefault(key, 0L) + delta;
    data.put(key, next);
    history.add(new Write(token, key, next, true));
    return Optional.of(next);
  }

  /** What {@link #putAllOnce} did. */
  public enum Once {
    /** The writes and the marker took effect. */
    APPLIED,
    /** The marker was already there: nothing written (the token was not checked). */
    ALREADY_APPLIED,
    /** The token is stale or of another lineage: nothing written. */
    REFUSED
  }

  /**
   * Writes every entry of {@code writes} and {@code marker = 1} in one step, iff {@code marker} is
   * absent and {@code token} is not stale: an effect and the record that it happened, together
   * (e.g. a singleton's state change and the id of the message that caused it, for
   * effectively-once processing of messages delivered at least once). A deposed incarnation can
   * neither write nor record.
   */
  public synchronized Once putAllOnce(FencingToken token, String marker, Map<String, Long> writes) {
    if (data.containsKey(marker)) {
      return Once.ALREADY_APPLIED;
    }
    if (!guard.tryAccept(token)) {
      history.add(new Write(token, marker, 1, false));
      return Once.REFUSED;
    }
    writes.forEach((k, v) -> {
      data.put(k, v);
      history.add(new Write(token, k, v, true));
    });
    data.put(marker, 1L);
    history.add(new Write(token, marker, 1, true));
    return Once.APPLIED;
  }

  public synchronized Optional<Long> get(String key) {
    return Optional.ofNullable(data.get(key));
  }

  /** The largest token accepted so far. */
  public Optional<FencingToken> highestToken() {
    return guard.highest();
  }

  /** Every write attempt in order. */
  public List<Write> history() {
    return List.copyOf(history);
  }

  /** The refused write attempts in order. */
  public List<Write> rejected() {
    return history.stream().filter(w -> !w.accepted()).toList();
  }
}
