package dev.regent.toolkit.internal.hosting;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What {@link HostingRule#decide} tells the shell to do now, and when to ask again.
 *
 * @param action what to do with the instance
 * @param term for {@link Action#START}: the term (the fencing token) of the new instance; else
 *     the instance's term, or {@link HostingState#NO_TERM} without an instance
 * @param withStopMessage for {@link Action#BEGIN_STOP}: the instance was active, so it is sent its
 *     stop message (if it has one) and stopped hard at {@code hardStopAt}; false: it was suspended
 *     and is stopped at once, without its stop message (it may not act any more)
 * @param hardStopAt for {@link Action#BEGIN_STOP}: the latest time at which the instance is
 *     stopped hard (now when {@code withStopMessage} is false)
 * @param recheckAt when to decide again if nothing happens before: the instance is to be suspended
 *     there (its lease runs low) or its suspension has lasted {@code max-suspension}; empty if only
 *     an event can change the decision
 * @param next the state once the action is carried out
 */
public record HostingDecision(Action action, long term, boolean withStopMessage, long hardStopAt,
    OptionalLong recheckAt, HostingState next) {

  /** What to do with the instance. */
  public enum Action {
    /** Nothing to do. */
    NOTHING,
    /** Start an instance of {@code term}. */
    START,
    /** Suspend the running instance: hold every further message. */
    SUSPEND,
    /** Resume the suspended instance (same incarnation, same token): its lease is valid again. */
    RESUME,
    /** Stop the instance (see {@code withStopMessage} and {@code hardStopAt}). */
    BEGIN_STOP
  }

  public HostingDecision {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(recheckAt, "recheckAt");
    Objects.requireNonNull(next, "next");
  }

  @Override
  public String toString() {
    String what = switch (action) {
      case START -> "START(" + term + ")";
      case BEGIN_STOP -> withStopMessage ? "BEGIN_STOP(" + term + ", hardStopAt=" + hardStopAt + ")"
          : "BEGIN_STOP(" + term + ", at once)";
      case NOTHING -> "NOTHING";
      default -> action + "(" + term + ")";
    };
    return what + (recheckAt.isPresent() ? ", recheck at " + recheckAt.getAsLong() : "");
  }
}
