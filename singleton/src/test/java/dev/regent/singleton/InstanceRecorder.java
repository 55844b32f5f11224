package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Shared by every node of an in-JVM cluster: when each singleton incarnation started (behavior
 * setup) and stopped (PostStop), by {@link System#nanoTime()}, and what it received.
 */
final class InstanceRecorder {

  /** One incarnation; {@code stopNanos} is empty while it runs. */
  record Incarnation(int id, String node, long token, long startNanos, Optional<Long> stopNanos) {
    boolean running() {
      return stopNanos.isEmpty();
    }
  }

  record Received(String node, long token, String text) {}

  private final List<Incarnation> incarnations = new ArrayList<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();

  synchronized int started(String node, long token) {
    int id = incarnations.size();
    incarnations.add(new Incarnation(id, node, token, System.nanoTime(), Optional.empty()));
    return id;
  }

  synchronized void stopped(int id) {
    Incarnation i = incarnations.get(id);
    incarnations.set(id, new Incarnation(id, i.node(), i.token(), i.startNanos(),
        Optional.of(System.nanoTime())));
  }

  void received(String node, long token, String text) {
    received.add(new Received(node, token, text));
  }

  synchronized List<Incarnation> incarnations() {
    return List.copyOf(incarnations);
  }

  synchronized List<Incarnation> running() {
    return incarnations.stream().filter(Incarnation::running).toList();
  }

  /** The single running incarnation, if exactly one runs. */
  synchronized Optional<Incarnation> theRunning() {
    List<Incarnation> r = running();
    return r.size() == 1 ? Optional.of(r.get(0)) : Optional.empty();
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  /**
   * Every pair of incarnations whose active intervals [start, stop] intersect (a running one
   * extends to now), described for an assertion message; empty when none overlap. Also checks
   * that tokens grow with start order across nodes (a restart may repeat its own token).
   */
  synchronized List<String> violations() {
    long now = System.nanoTime();
    var out = new ArrayList<String>();
    var sorted = new ArrayList<>(incarnations);
    sorted.sort(Comparator.comparingLong(Incarnation::startNanos));
    for (int a = 0; a < sorted.size(); a++) {
      for (int b = a + 1; b < sorted.size(); b++) {
        Incarnation x = sorted.get(a);
        Incarnation y = sorted.get(b);
        long xEnd = x.stopNanos().orElse(now);
        if (y.startNanos() - xEnd < 0) {
          out.add("overlap: " + x + " and " + y + " by "
              + (xEnd - y.startNanos()) / 1000 + " us");
        }
        if (!x.node().equals(y.node()) && y.token() <= x.token()) {
          out.add("token did not grow: " + x + " then " + y);
        }
      }
    }
    return out;
  }

  /** Waits (bounded) until exactly one incarnation runs, and returns it. */
  Incarnation awaitOneRunning(Duration timeout) {
    Await.until(timeout, () -> " (incarnations " + this + ")", () -> theRunning().isPresent());
    return theRunning().get();
  }

  /** Waits (bounded) until a later incarnation runs on another node than {@code old}. */
  Incarnation awaitNewInstance(Incarnation old, Duration timeout) {
    Await.until(timeout, () -> " (incarnations " + this + ")", () -> theRunning()
        .filter(i -> i.id() > old.id() && !i.node().equals(old.node())).isPresent());
    return theRunning().get();
  }

  /** Waits (bounded) until a later incarnation than {@code old} runs, on any node. */
  Incarnation awaitLaterInstance(Incarnation old, Duration timeout) {
    Await.until(timeout, () -> " (incarnations " + this + ")", () -> theRunning()
        .filter(i -> i.id() > old.id()).isPresent());
    return theRunning().get();
  }

  /** Fails when two incarnations overlapped in time, or a token did not rise across nodes. */
  void assertNoOverlap() {
    List<String> violations = violations();
    assertTrue(violations.isEmpty(), () -> String.join("\n", violations) + "\n" + this);
  }

  @Override
  public synchronized String toString() {
    return incarnations.toString();
  }
}
