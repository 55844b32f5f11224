package dev.regent.toolkit.fencing;

/**
 * A write carried a fencing token older than one the resource has already accepted: it comes from
 * a deposed singleton incarnation and must not take effect.
 */
public final class StaleTokenException extends IllegalStateException {

  private final transient FencingToken offered;
  private final transient FencingToken highest;

  public StaleTokenException(FencingToken offered, FencingToken highest) {
    super("stale fencing token " + offered.value() + ": already accepted " + highest.value());
    this.offered = offered;
    this.highest = highest;
  }

  /** The token that was refused. */
  public FencingToken offered() {
    return offered;
  }

  /** The largest token the guard had accepted when it refused. */
  public FencingToken highest() {
    return highest;
  }
}
