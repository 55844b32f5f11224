package dev.regent.singleton.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Internal API: the switch between one singleton instance and its manager that holds the
 * instance's messages while its lease is not valid. The manager closes and reopens it; the
 * instance's {@link SuspensionInterceptor} passes each message through it. Thread-safe: the
 * manager and the instance run on different threads.
 *
 * <p>One atomic word holds a state and an epoch. States:
 * <ul>
 *   <li>{@code OPEN_IDLE}: messages are delivered; no handler of the instance runs;</li>
 *   <li>{@code OPEN_BUSY}: a handler runs (the interceptor entered the gate);</li>
 *   <li>{@code CLOSING}: the manager closed the gate while a handler ran; the handler finishes,
 *       then the interceptor moves the gate to {@code CLOSED} and acknowledges;</li>
 *   <li>{@code CLOSED}: nothing runs and nothing is delivered (held in the stash).</li>
 * </ul>
 * The race this settles: the manager closes at any instant, possibly while a handler is running.
 * {@link #close} tells it which case it hit: closed at once (no handler ran at that instant, and
 * none can start: entering needs {@code OPEN_IDLE}), or a handler is running and the interceptor
 * will acknowledge as soon as it returns. The manager counts the instance suspended only then.
 *
 * <p>Reopening is a message ({@code Resume(epoch)}) through the instance's mailbox, so that the
 * messages held so far are handed to the behavior before anything that arrives after the resume.
 * Every close advances the epoch, so a resume still in the mailbox when the manager closes again
 * is ignored.
 */
public final class SuspensionGate {

  static final int OPEN_IDLE = 0;
  static final int OPEN_BUSY = 1;
  static final int CLOSING = 2;
  static final int CLOSED = 3;

  private final AtomicLong word = new AtomicLong(pack(0, OPEN_IDLE));

  private static long pack(long epoch, int state) {
    return (epoch << 2) | state;
  }

  static int state(long word) {
    return (int) (word & 3);
  }

  static long epoch(long word) {
    return word >>> 2;
  }

  /** What {@link #close} found. */
  enum CloseResult {
    /** No handler was running; none will run until a resume. */
    CLOSED_NOW,
    /** A handler is running; the interceptor acknowledges once it returned. */
    ACK_PENDING
  }

  /** The manager: hold every further message. Advances the epoch (stale resumes are ignored). */
  CloseResult close() {
    while (true) {
      long w = word.get();
      int s = state(w);
      int next = switch (s) {
        case OPEN_IDLE -> CLOSED;
        case OPEN_BUSY -> CLOSING;
        default -> s; // closed again before the instance saw the resume
      };
      if (word.compareAndSet(w, pack(epoch(w) + 1, next))) {
        return next == CLOSED ? CloseResult.CLOSED_NOW : CloseResult.ACK_PENDING;
      }
    }
  }

  /** The manager: the epoch a resume must carry to reopen the gate as it is now. */
  long epoch() {
    return epoch(word.get());
  }

  /** Whether the gate is closed or closing (the instance must not act on a lease). */
  public boolean closed() {
    int s = state(word.get());
    return s == CLOSING || s == CLOSED;
  }

  /** The interceptor: enter to run a handler; false when closed (hold the message). */
  boolean tryEnter() {
    while (true) {
      long w = word.get();
      if (state(w) != OPEN_IDLE) {
        // CLOSED (OPEN_BUSY and CLOSING cannot be seen here: the instance is single-threaded).
        return false;
      }
      if (word.compareAndSet(w, pack(epoch(w), OPEN_BUSY))) {
        return true;
      }
    }
  }

  /**
   * The interceptor: the handler returned (or threw).
   *
   * @return the epoch to acknowledge when the manager closed the gate meanwhile, else -1
   */
  long exit() {
    while (true) {
      long w = word.get();
      int s = state(w);
      if (s == OPEN_BUSY) {
        if (word.compareAndSet(w, pack(epoch(w), OPEN_IDLE))) {
          return -1;
        }
      } else if (s == CLOSING) {
        if (word.compareAndSet(w, pack(epoch(w), CLOSED))) {
          return epoch(w);
        }
      } else {
        throw new IllegalStateException("exit without enter, state " + s);
      }
    }
  }

  /** The interceptor, on {@code Resume(epoch)}: reopens iff still closed in that epoch. */
  boolean reopen(long resumeEpoch) {
    long w = word.get();
    return state(w) == CLOSED && epoch(w) == resumeEpoch
        && word.compareAndSet(w, pack(resumeEpoch, OPEN_IDLE));
  }
}
