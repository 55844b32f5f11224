package dev.regent.toolkit.internal.hosting;

import dev.regent.toolkit.internal.hosting.HostingDecision.Action;
import dev.regent.toolkit.internal.hosting.HostingState.Instance;
import java.util.OptionalLong;

/**
 * The singleton manager's hosting rule, pure: when a node starts, suspends, resumes and stops its
 * singleton instance, and when the stop must be hard at the latest. No clock, no I/O, no actors:
 * the singleton module's {@code SingletonManager} feeds it the election's events and carries out
 * its decisions (spawning, the suspension gate, timers), and the election simulator runs the same
 * code for its model of the manager.
 *
 * <p>The rule, re-evaluated after every event and at {@link HostingDecision#recheckAt}:
 *
 * <blockquote>The instance of term T runs iff this node leads T (with a lease), the node is not
 * shutting down, and T is not finished (its instance stopped by itself, or T is being handed over).
 * It is <em>active</em> iff the lease of T has more than {@code stop-timeout + lease-margin + tick}
 * left; otherwise it is <em>suspended</em>.</blockquote>
 *
 * <ul>
 *   <li>No instance, the node leads a term that is not finished, and lease is left: {@link
 *       Action#START} an instance of that term.
 *   <li>A running or suspended instance whose term this node no longer leads (a step-down, a lost
 *       or other leader, a newer term, a shutdown, a hand-over, a term finished), or suspended for
 *       {@code max-suspension}: {@link Action#BEGIN_STOP}. An active one gets its stop message and
 *       is stopped hard at {@code min(now + stop-timeout, lease deadline - lease-margin - tick)}, the
 *       lease being the last one known for its term; a suspended one is stopped at once.
 *   <li>A running instance whose lease is down to the stop budget: {@link Action#SUSPEND}.
 *   <li>A suspended instance whose lease (of its own term) is valid again: {@link Action#RESUME}.
 * </ul>
 *
 * <p>A new instance is never started while the previous one exists (stopping included): they share
 * one actor name, and the one-instance guarantee must hold on one node too.
 *
 * @param stopTimeoutNanos time the instance has after its stop message before it is stopped hard
 * @param leaseMarginNanos time reserved for the hard stop itself and for scheduling delays
 * @param tickNanos how late a timer may fire (Pekko's scheduler tick; 0 for exact timers): every
 *     deadline is decided one tick early
 * @param maxSuspensionNanos how long an instance may stay suspended before it is stopped
 */
public record HostingRule(long stopTimeoutNanos, long leaseMarginNanos, long tickNanos,
    long maxSuspensionNanos) {

  public HostingRule {
    if (stopTimeoutNanos < 0 || leaseMarginNanos < 0 || tickNanos < 0) {
      throw new IllegalArgumentException("stop-timeout, lease-margin and tick must be >= 0");
    }
    if (maxSuspensionNanos <= 0) {
      throw new IllegalArgumentException("max-suspension must be positive");
    }
  }

  /** {@code stop-timeout + lease-margin}: the lease an active instance must have left. */
  public long stopBudgetNanos() {
    return stopTimeoutNanos + leaseMarginNanos;
  }

  /** When an instance holding a lease until {@code leaseDeadline} is to be suspended. */
  public long suspendAt(long leaseDeadline) {
    return leaseDeadline - stopBudgetNanos() - tickNanos;
  }

  /**
   * A lease until {@code leaseDeadline} is valid for an active instance at {@code now}: more than
   * the stop budget (and a tick) of it is left. {@code SingletonContext.leaseValid()} is this.
   */
  public boolean leaseLeft(long leaseDeadline, long now) {
    return suspendAt(leaseDeadline) - now > 0;
  }

  /**
   * When a handler that was running at the suspension has overrun: only the lease margin of the
   * instance's lease is left (the shell warns; nothing can interrupt a handler).
   */
  public long handlerOverdueAt(HostingState state) {
    return state.instanceLeaseDeadline() - leaseMarginNanos - tickNanos;
  }

  /** The decision for {@code state} at {@code now} (see the class comment). */
  public HostingDecision decide(HostingState state, long now) {
    boolean leaseLeft = leaseLeft(state.leaseDeadline(), now);
    boolean leading = !state.shuttingDown() && state.leading()
        && state.finishedTerm() != state.leaderTerm();
    boolean live = state.instanceLive();
    boolean sameTerm = live && leading && state.leaderTerm() == state.instanceTerm();
    boolean suspendedTooLong = state.instance() == Instance.SUSPENDED
        && now - state.suspendedAt() - maxSuspensionNanos >= 0;

    Action action = Action.NOTHING;
    long term = state.instance() == Instance.NONE ? HostingState.NO_TERM : state.instanceTerm();
    boolean withStopMessage = false;
    long hardStopAt = 0;
    HostingState next = state;
    if (live && (!sameTerm || suspendedTooLong)) {
      action = Action.BEGIN_STOP;
      withStopMessage = state.instance() == Instance.RUNNING;
      hardStopAt = withStopMessage ? earliest(now + stopTimeoutNanos,
          state.instanceLeaseDeadline() - leaseMarginNanos - tickNanos) : now;
      next = state.with(Instance.STOPPING, state.instanceTerm(), state.instanceLeaseDeadline(),
          state.suspendedAt());
    } else if (state.instance() == Instance.RUNNING && !leaseLeft) {
      action = Action.SUSPEND;
      next = state.with(Instance.SUSPENDED, state.instanceTerm(), state.instanceLeaseDeadline(),
          now);
    } else if (state.instance() == Instance.SUSPENDED && leaseLeft) {
      action = Action.RESUME;
      next = state.with(Instance.RUNNING, state.instanceTerm(), state.instanceLeaseDeadline(),
          state.suspendedAt());
    } else if (state.instance() == Instance.NONE && leading && leaseLeft) {
      action = Action.START;
      term = state.leaderTerm();
      next = state.with(Instance.RUNNING, term, state.leaseDeadline(), now);
    }
    // The lease that bounds the instance's hard stop: the last one known for its term.
    if (next.instanceLive() && next.leading() && next.leaderTerm() == next.instanceTerm()) {
      next = next.with(next.instance(), next.instanceTerm(), next.leaseDeadline(),
          next.suspendedAt());
    }
    OptionalLong recheckAt = OptionalLong.empty();
    if (next.instance() == Instance.RUNNING && leaseLeft) {
      recheckAt = OptionalLong.of(suspendAt(next.leaseDeadline()));
    } else if (next.instance() == Instance.SUSPENDED) {
      recheckAt = OptionalLong.of(next.suspendedAt() + maxSuspensionNanos);
    }
    return new HostingDecision(action, term, withStopMessage, hardStopAt, recheckAt, next);
  }

  /** The earlier of two monotonic times (wrap-safe). */
  private static long earliest(long a, long b) {
    return a - b <= 0 ? a : b;
  }
}
