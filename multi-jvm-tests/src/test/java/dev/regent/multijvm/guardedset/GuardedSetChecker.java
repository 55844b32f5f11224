package dev.regent.multijvm.guardedset;

import dev.regent.multijvm.guardedset.AttemptLog.Attempt;
import dev.regent.multijvm.guardedset.AttemptLog.Outcome;
import dev.regent.toolkit.leadership.Lineage;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges a guarded-set run from what the database holds and what the writers were told:
 * <ul>
 *   <li><b>G1, no stale row:</b> in commit order no row carries a lower token than a row
 *       committed before it, i.e. no row from a deposed incarnation after a newer one wrote
 *       (tokens never decrease in commit order);</li>
 *   <li><b>G2, one lineage:</b> every row carries the lineage the first row pinned;</li>
 *   <li><b>G3, nothing lost:</b> every insert acknowledged to a writer (its commit returned) is in
 *       the table;</li>
 *   <li><b>G4, refusals hold:</b> no insert the database refused is in the table.</li>
 * </ul>
 * Commit order comes from the database itself, not from the fence under test: PostgreSQL's commit
 * timestamps ({@code track_commit_timestamp = on}, {@code pg_xact_commit_timestamp(xmin)}; each
 * insert is its own transaction), ties broken by the row id.
 */
public final class GuardedSetChecker {

  private static final int MAX_LISTED = 20;

  /** One row of the guarded set, in commit order. */
  public record Row(long id, long lineage, long token, int node, long pid, long seq,
      String committedAt) {}

  /** The verdict and the figures of a run. */
  public record Result(List<String> violations, int rows, long acknowledged, long refused,
      long failed) {
    public boolean ok() {
      return violations.isEmpty();
    }

    public void assertOk() {
      if (!ok()) {
        throw new AssertionError("guarded-set checker: " + violations.size()
            + " violation(s):\n  " + String.join("\n  ", violations));
      }
    }
  }

  private GuardedSetChecker() {}

  /** The rows of the guarded set in commit order. */
  public static List<Row> readRows(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.setQueryTimeout(30);
      try (ResultSet rs = st.executeQuery("SELECT id, lineage, token, node, pid, seq,"
          + " pg_xact_commit_timestamp(xmin)::text FROM " + GuardedSetSetup.TABLE
          + " ORDER BY pg_xact_commit_timestamp(xmin), id")) {
        var rows = new ArrayList<Row>();
        while (rs.next()) {
          rows.add(new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getInt(4),
              rs.getLong(5), rs.getLong(6), rs.getString(7)));
        }
        return rows;
      }
    }
  }

  /**
   * Checks {@code rows} (in commit order) against the writers' {@code attempts}. Read the attempt
   * logs before the rows: an attempt logged as acknowledged had committed before it was logged.
   */
  public static Result check(List<Row> rows, List<Attempt> attempts) {
    var violations = new ArrayList<String>();
    int stale = 0;
    Row highest = null;
    for (Row r : rows) {
      if (highest != null && r.lineage() != highest.lineage()) {
        add(violations, "G2 row " + describe(r) + " of lineage " + Lineage.format(r.lineage())
            + " after rows of lineage " + Lineage.format(highest.lineage()));
        continue;
      }
      if (highest != null && r.token() < highest.token()) {
        stale++;
        add(violations, "G1 stale row " + describe(r) + " committed after token "
            + highest.token() + " had written (" + describe(highest) + ")");
        continue;
      }
      highest = r;
    }
    if (stale > MAX_LISTED) {
      violations.add("G1 " + stale + " stale rows in all");
    }
    Map<List<Long>, Row> byKey = new HashMap<>();
    rows.forEach(r -> byKey.put(List.of(r.pid(), r.seq()), r));
    Set<List<Long>> missing = new HashSet<>();
    for (Attempt a : attempts) {
      Row r = byKey.get(List.of(a.pid(), a.seq()));
      if (a.outcome() == Outcome.ACKNOWLEDGED && r == null) {
        missing.add(List.of(a.pid(), a.seq()));
        add(violations, "G3 acknowledged insert missing: token " + a.token() + " node "
            + a.node() + " pid " + a.pid() + " seq " + a.seq());
      } else if (a.outcome() == Outcome.REFUSED && r != null) {
        add(violations, "G4 refused insert present: " + describe(r));
      }
    }
    long acknowledged = attempts.stream().filter(a -> a.outcome() == Outcome.ACKNOWLEDGED).count();
    long refused = attempts.stream().filter(a -> a.outcome() == Outcome.REFUSED).count();
    long failed = attempts.stream().filter(a -> a.outcome() == Outcome.FAILED).count();
    return new Result(List.copyOf(violations), rows.size(), acknowledged, refused, failed);
  }

  private static void add(List<String> violations, String v) {
    if (violations.size() < MAX_LISTED * 3) {
      violations.add(v);
    }
  }

  private static String describe(Row r) {
    return "id=" + r.id() + " token " + r.token() + " node " + r.node() + " pid " + r.pid()
        + " seq " + r.seq() + " at " + r.committedAt();
  }
}
