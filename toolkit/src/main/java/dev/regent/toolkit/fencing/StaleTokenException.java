package dev.regent.toolkit.fencing;

import dev.regent.toolkit.leadership.Lineage;

/**
 * A write carried a fencing token that the resource refuses: it is older than one already accepted
 * (it comes from a deposed singleton incarnation), or it belongs to another lineage than the one
 * the resource is pinned to (a separately founded cluster). Either way it must not take effect.
 */
public final class StaleTokenException extends IllegalStateException {

  private final transient FencingToken offered;
  private final transient FencingToken highest;

  public StaleTokenException(FencingToken offered, FencingToken highest) {
    super(offered.sameLineage(highest)
        ? "stale fencing token " + offered.value() + ": already accepted " + highest.value()
            + " (lineage " + Lineage.format(offered.lineage()) + ")"
        : "fencing token " + offered.value() + " of lineage " + Lineage.format(offered.lineage())
            + " refused: this resource is pinned to lineage " + Lineage.format(highest.lineage())
            + " (a separately founded cluster; after a deliberate re-creation move the resource"
            + " with FencingGuard.moveToLineage)");
    this.offered = offered;
    this.highest = highest;
  }

  /** The token that was refused. */
  public FencingToken offered() {
    return offered;
  }

  /**
   * The resource's pinned lineage and the largest token it had accepted (or the floor an operator
   * set) when it refused.
   */
  public FencingToken highest() {
    return highest;
  }

  /** Whether the token was refused for its lineage rather than its age. */
  public boolean foreignLineage() {
    return !offered.sameLineage(highest);
  }
}
