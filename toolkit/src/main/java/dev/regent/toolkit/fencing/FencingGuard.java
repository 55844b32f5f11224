package dev.regent.toolkit.fencing;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Guards a downstream resource against deposed singleton incarnations: accepts a token when it is
 * at least the largest token accepted so far (an equal token is the same incarnation, e.g. after a
 * supervisor restart that kept its token) and refuses every older one.
 *
 * <p>Thread-safe and lock-free. Accepting is a compare-and-set on the largest token, so two writers
 * racing with different tokens cannot both win against each other in the wrong order: once the
 * larger one is accepted the smaller is refused, whatever the interleaving.
 *
 * <p>The guard only decides; the caller must perform the write under the same critical section as
 * the check if a newer writer may interleave between check and write (see {@code FencedStore} in
 * the examples module, which checks and writes under one lock).
 */
public final class FencingGuard {

  /** No token accepted yet: every real term is at least 0, so anything is accepted first. */
  private static final long NONE = Long.MIN_VALUE;

  private final AtomicLong highest;

  /** A guard that has accepted nothing yet. */
  public FencingGuard() {
    this.highest = new AtomicLong(NONE);
  }

  /**
   * A guard that starts from a token remembered elsewhere (e.g. stored next to the data it guards),
   * so a restarted resource keeps refusing older incarnations.
   */
  public FencingGuard(FencingToken highestAccepted) {
    this.highest = new AtomicLong(highestAccepted.value());
  }

  /**
   * Accepts {@code token} when it is at least the largest accepted so far, and remembers it.
   *
   * @return whether the token was accepted
   */
  public boolean tryAccept(FencingToken token) {
    long offered = token.value();
    while (true) {
      long current = highest.get();
      if (offered < current) {
        return false;
      }
      if (offered == current || highest.compareAndSet(current, offered)) {
        return true;
      }
    }
  }

  /**
   * Like {@link #tryAccept} but throws for a stale token.
   *
   * @throws StaleTokenException when {@code token} is older than one already accepted
   */
  public void check(FencingToken token) {
    if (!tryAccept(token)) {
      throw new StaleTokenException(token, FencingToken.of(highest.get()));
    }
  }

  /** The largest token accepted so far, if any. */
  public Optional<FencingToken> highest() {
    long h = highest.get();
    return h == NONE ? Optional.empty() : Optional.of(FencingToken.of(h));
  }
}
