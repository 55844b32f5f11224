package dev.regent.singleton;

import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.leadership.NodeId;
import java.util.Optional;

/**
 * What a fenced singleton learns about its own incarnation (see {@link SingletonActor#ofFenced}).
 */
public interface SingletonContext {

  /**
   * This incarnation's fencing token: the lineage (cluster id) of the election and the term in
   * which its node became leader. Every later incarnation anywhere in the cluster has the same
   * lineage and a larger term; a separately founded cluster has another lineage, which a
   * {@code FencingGuard} refuses. Pass it with every write to a resource guarded by a
   * {@code FencingGuard}. A supervisor restart keeps the token.
   */
  FencingToken fencingToken();

  /**
   * A cheap local check to call right before a side effect: whether this node still holds its
   * lease and is still leader of the term this incarnation was started in. False once the lease
   * ran out, even before the manager had a chance to stop the instance (e.g. after a long GC
   * pause). It cannot see a pause that happens after it returns: only the fencing token protects
   * against that.
   */
  boolean leaseValid();

  /**
   * In at-least-once mode ({@code regent.singleton.delivery}), while the behavior processes a
   * message a proxy sent: that message's id, the key to dedupe by ({@link DeliveryDedupe}). Empty
   * outside a message, for messages sent at most once, and for messages not sent through a proxy
   * (timers, replies, the stop message).
   */
  default Optional<DeliveryId> currentDelivery() {
    return Optional.empty();
  }

  /**
   * In at-least-once mode, while processing a message: do not confirm it, so that its proxy keeps
   * it and sends it to the current incarnation. For a handler that learns it was deposed, e.g. its
   * fenced write was refused ({@link DeliveryDedupe#applyOnce} does this itself). Confirmations are
   * also withheld automatically when the lease is no longer valid after the handler returned. No
   * effect outside a message or for messages sent at most once.
   */
  default void withholdConfirmation() {}

  /** The node this incarnation runs on. */
  NodeId node();

  /** The singleton's name, as given to {@link SingletonActor}. */
  String name();
}
