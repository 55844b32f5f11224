package dev.regent.toolkit.fencing;

import dev.regent.toolkit.leadership.Lineage;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Guards a downstream resource against deposed singleton incarnations. It pins one lineage (the
 * cluster id in every {@link FencingToken}): the first token it accepts pins that token's lineage,
 * and from then on a token of any other lineage is refused, whatever its term, because terms of
 * two lineages are unrelated. Within the pinned lineage it accepts a token when it is at least the
 * largest accepted so far (an equal token is the same incarnation, e.g. after a supervisor restart
 * that kept its token) and refuses every older one.
 *
 * <p>Thread-safe and lock-free. Accepting is a compare-and-set on the pinned state, so two writers
 * racing with different tokens cannot both win against each other in the wrong order: once the
 * larger one is accepted the smaller is refused, whatever the interleaving.
 *
 * <p>The guard only decides; the caller must perform the write under the same critical section as
 * the check if a newer writer may interleave between check and write (see {@link FencedStore},
 * which checks and writes under one lock). To survive a restart of the resource, store the pinned
 * lineage and the highest token next to the data and start from them
 * ({@link #FencingGuard(FencingToken)}).
 *
 * <h2>Moving to a new lineage</h2>
 * A cluster whose election state was deliberately wiped and re-created (every voter's state lost,
 * a new cluster set up to replace an old one) founds a new lineage, and the guard refuses its
 * tokens: from the resource's point of view it could just as well be a second cluster running
 * beside the real one. Once the operator has made sure that no node of the old lineage runs any
 * more, they move the resource with {@link #moveToLineage} (or start the guard with
 * {@link #FencingGuard(long, long)}), naming the new lineage as the status endpoint and the
 * founder's log show it ({@link Lineage#parse} reads that form). Nothing moves a guard
 * automatically.
 */
public final class FencingGuard {

  /**
   * @param floor lineage pinned and the lowest term accepted in it
   * @param accepted whether {@code floor} is a token actually accepted (else a floor set by hand)
   */
  private record State(FencingToken floor, boolean accepted) {}

  /** Null until the first token pins a lineage (or one is pinned explicitly). */
  private final AtomicReference<State> state;

  /** A guard that has accepted nothing yet: the first token it accepts pins its lineage. */
  public FencingGuard() {
    this.state = new AtomicReference<>();
  }

  /**
   * A guard that starts from a token remembered elsewhere (e.g. stored next to the data it guards),
   * so a restarted resource keeps refusing older incarnations and other lineages.
   */
  public FencingGuard(FencingToken highestAccepted) {
    this.state = new AtomicReference<>(new State(highestAccepted, true));
  }

  /**
   * A guard pinned to {@code lineage} that accepts tokens of it from term {@code minTerm} on: for
   * a resource set up for a cluster that is known by its lineage id, or moved to a re-created one
   * (see {@link #moveToLineage}).
   */
  public FencingGuard(long lineage, long minTerm) {
    this.state = new AtomicReference<>(new State(FencingToken.of(lineage, minTerm), false));
  }

  /**
   * Accepts {@code token} when it belongs to the pinned lineage (or pins it, if none is yet) and
   * is at least the largest accepted so far, and remembers it.
   *
   * @return whether the token was accepted
   */
  public boolean tryAccept(FencingToken token) {
    while (true) {
      State current = state.get();
      if (current != null) {
        FencingToken floor = current.floor();
        if (!floor.sameLineage(token) || token.value() < floor.value()) {
          return false;
        }
        if (token.value() == floor.value() && current.accepted()) {
          return true; // the same incarnation
        }
      }
      if (state.compareAndSet(current, new State(token, true))) {
        return true;
      }
    }
  }

  /**
   * Like {@link #tryAccept} but throws for a refused token.
   *
   * @throws StaleTokenException when {@code token} is older than one already accepted, or of
   *     another lineage than the pinned one
   */
  public void check(FencingToken token) {
    if (!tryAccept(token)) {
      State current = state.get();
      throw new StaleTokenException(token, current.floor());
    }
  }

  /**
   * Operator action after a deliberate re-creation of the cluster: from now on only tokens of
   * {@code lineage} with a term of at least {@code minTerm} are accepted, and every token of the
   * previously pinned lineage is refused. Call it only once no node of the old lineage can write
   * any more: the guard cannot tell a replaced cluster from a second one running beside it.
   * Choosing {@code minTerm} above the old lineage's highest token (and starting the new cluster
   * with {@code regent.election.bootstrap.first-term} above it) keeps tokens increasing for
   * readers that only look at the number.
   *
   * @throws IllegalArgumentException when {@code lineage} is the one already pinned and
   *     {@code minTerm} is below a token already accepted (that would let deposed incarnations in)
   */
  public void moveToLineage(long lineage, long minTerm) {
    var target = new State(FencingToken.of(lineage, minTerm), false);
    while (true) {
      State current = state.get();
      if (current != null && current.floor().lineage() == lineage
          && minTerm < current.floor().value()) {
        throw new IllegalArgumentException("lineage " + Lineage.format(lineage)
            + " is already pinned with tokens up to " + current.floor().value()
            + "; moving it back to " + minTerm + " would accept deposed incarnations");
      }
      if (current != null && current.floor().lineage() == lineage) {
        target = new State(target.floor(), current.accepted()
            && minTerm == current.floor().value());
      }
      if (state.compareAndSet(current, target)) {
        return;
      }
    }
  }

  /** The pinned lineage, if a token or an operator has pinned one. */
  public OptionalLong lineage() {
    State current = state.get();
    return current == null ? OptionalLong.empty() : OptionalLong.of(current.floor().lineage());
  }

  /** The largest token accepted so far in the pinned lineage, if any. */
  public Optional<FencingToken> highest() {
    State current = state.get();
    return current == null || !current.accepted() ? Optional.empty()
        : Optional.of(current.floor());
  }
}
