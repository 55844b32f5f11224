package dev.regent.singleton.internal;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A FIFO of at most {@code capacity} elements that drops its OLDEST element to make room, as
 * Pekko's singleton proxy does: the newest messages are the likeliest to still matter. Not
 * thread-safe (each actor owns one).
 */
public final class BoundedBuffer<T> {

  private final int capacity;
  private final ArrayDeque<T> elements = new ArrayDeque<>();

  public BoundedBuffer(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative, was " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Appends {@code element}.
   *
   * @return the element dropped to make room: the oldest, or {@code element} itself when the
   *     capacity is 0
   */
  public Optional<T> add(T element) {
    if (capacity == 0) {
      return Optional.of(element);
    }
    Optional<T> dropped = Optional.empty();
    if (elements.size() == capacity) {
      dropped = Optional.of(elements.removeFirst());
    }
    elements.addLast(element);
    return dropped;
  }

  /** Hands every element, oldest first, to {@code sink} and empties the buffer. */
  public void drainTo(Consumer<? super T> sink) {
    while (!elements.isEmpty()) {
      sink.accept(elements.removeFirst());
    }
  }

  /** Removes and returns the oldest element; the buffer must not be empty. */
  public T removeFirst() {
    return elements.removeFirst();
  }

  /** Whether an {@link #add} would drop the oldest element (or the new one, at capacity 0). */
  public boolean isFull() {
    return elements.size() >= capacity;
  }

  public int size() {
    return elements.size();
  }

  public boolean isEmpty() {
    return elements.isEmpty();
  }
}
