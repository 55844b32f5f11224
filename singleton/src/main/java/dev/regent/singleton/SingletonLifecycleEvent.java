package dev.regent.singleton;

import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.leadership.NodeId;
import java.util.Objects;

/**
 * One change of this node's instance of a singleton, as told to a
 * {@link SingletonLifecycleListener}. One incarnation (one fencing token on one node, from its
 * start to its stop) goes through {@code STARTED}, then any number of
 * {@code SUSPENDED}/{@code RESUMED} pairs, then {@code STOPPED}.
 *
 * @param kind what happened
 * @param singleton the singleton's name
 * @param node this node
 * @param token the incarnation's fencing token
 * @param nanos {@link System#nanoTime()} when the manager observed it (see {@link Kind} for
 *     which side of the real instant each kind is on)
 */
public record SingletonLifecycleEvent(Kind kind, String singleton, NodeId node, FencingToken token,
    long nanos) {

  public SingletonLifecycleEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(singleton, "singleton");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(token, "token");
  }

  /** The kinds of change. */
  public enum Kind {
    /**
     * The instance was created (before its behavior's setup runs): it is active from now on, its
     * messages reach its behavior.
     */
    STARTED,
    /**
     * The instance is suspended and quiescent: the lease of its term was not renewed in time, no
     * handler of it runs now and none will run until {@code RESUMED} (messages and timers are
     * held). Told once the manager knows it: at once when no message was being handled, else when
     * that handler returned, so never before the real instant. A suspension that ends (resumed or
     * stopped) before the running handler returned is not told, and neither is its resume.
     */
    SUSPENDED,
    /**
     * The suspended instance is active again, with its state and token, in the same term: told
     * when the manager reopens it, just before the held messages reach its behavior. Always
     * follows a {@code SUSPENDED} of the same incarnation.
     */
    RESUMED,
    /** The instance has terminated (told when the manager sees its {@code Terminated}). */
    STOPPED
  }
}
