package dev.regent.toolkit.testkit;

import dev.regent.toolkit.leadership.Lineage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The one checker of Regent's safety properties (README "The safety contract", docs/ELECTION.md
 * §6), used by the seeded simulator ({@code internal.election.History}, simulated time) and by the
 * multi-JVM harness ({@code dev.regent.multijvm.harness.HistoryChecker}, {@link System#nanoTime()}
 * across processes). Each producer converts what it saw into the facts below and feeds them in
 * time order; the checker reports each violation through its sink at the fact that shows it, so
 * the simulator can stop at the first one and a batch caller collects them all. What is specific
 * to a producer stays with it: the simulator's X1 (two lineages hosting while connected) and its
 * bounding of activity by the lease deadline, the harness's pause windows, resume grace, process
 * exits and L1 liveness: they shape the facts (an active stretch ends at a lease deadline, a
 * pause is cut out of a stretch) or are checked beside this class.
 *
 * <p>Terms of two lineages are unrelated (docs/ELECTION.md §3.6, §5), so S1 and S2 are judged per
 * lineage.
 *
 * <ul>
 *   <li><b>S1</b> ({@link #elected}) at most one leader per (lineage, term), over every report.
 *   <li><b>S2</b> ({@link #tokenTaken}) within a lineage, the tokens taken (leases acquired, or
 *       singleton incarnations started) strictly rise in time order. {@link
 *       Options#allowSameTermRestart} lets one node and process start a second incarnation with
 *       the token of its previous one (the lease lost and regained within one term: a fenced
 *       resource accepts equal tokens, and S1 leaves no other holder of that term).
 *   <li><b>S3</b> ({@link #stretchBegins}) no two active stretches overlap. A stretch is a span in
 *       which an incarnation handles messages: from its start or resume to its suspension, stop,
 *       its process's end, or whatever bound its producer knows (a lease deadline). A suspended
 *       incarnation is not active. Checked when a stretch begins, against every stretch active at
 *       that instant; only stretches of one lineage unless {@link Options#crossLineageS3}.
 *   <li><b>S3 (resume)</b> ({@link #resumed}) a resume is valid only in the term of the
 *       suspension: a process that has heard of a higher term of the lineage (a leader elected,
 *       itself or another) before it resumes an incarnation of a lower token breaks S3, since no
 *       node holds the lease of a term once it knows a higher one.
 *   <li><b>S4</b> ({@link #write}) the fenced resource's first accepted write pins its lineage.
 *       Violations: an accepted write of another lineage; an accepted write whose token is below
 *       one accepted before; an accepted write of an incarnation that started before the newest
 *       incarnation the resource accepted a write of (unless the two share the token: one node's
 *       incarnations of one term); a write (accepted or not) that no incarnation made with that
 *       token (an invented token).
 * </ul>
 *
 * <p>Not thread-safe: one producer feeds it.
 */
public final class SafetyChecker {

  /** One broken property at {@code at} (the producer's clock). */
  public record Violation(String property, long at, String message) {
    @Override
    public String toString() {
      return property + ": " + message;
    }
  }

  /**
   * Switches of the checker. {@code crossLineageS3}: S3 over stretches of every lineage (one
   * cluster: any two incarnations are one too many) or of one lineage each (a producer with two
   * lineages that checks its own cross-lineage rule). {@code allowSameTermRestart}: see S2.
   * {@code pruneAfter}: closed stretches that ended more than this before a new one begins are
   * forgotten (the simulator's long runs); {@link Long#MAX_VALUE}: kept.
   */
  public record Options(boolean crossLineageS3, boolean allowSameTermRestart, long pruneAfter) {
    public static Options defaults() {
      return new Options(true, false, Long.MAX_VALUE);
    }

    public Options withCrossLineageS3(boolean on) {
      return new Options(on, allowSameTermRestart, pruneAfter);
    }

    public Options withAllowSameTermRestart(boolean on) {
      return new Options(crossLineageS3, on, pruneAfter);
    }

    public Options withPruneAfter(long span) {
      return new Options(crossLineageS3, allowSameTermRestart, span);
    }
  }

  /**
   * A singleton incarnation as a writer and as a holder of stretches: its node (a label used in
   * messages, e.g. "node 2" or "n1#1"), its process, its fencing token and when it started.
   */
  public record Incarnation(String node, long process, long lineage, long token, long started) {
    /** Incarnations the token cannot tell apart: one node's incarnations of one term. */
    boolean sameToken(Incarnation o) {
      return node.equals(o.node) && lineage == o.lineage && token == o.token;
    }

    String describe() {
      return "token " + token + " on " + node;
    }
  }

  /** Whether {@link #tokenTaken} reports a lease acquisition or a singleton start. */
  public enum TokenKind { LEASE, SINGLETON }

  /**
   * An active stretch of {@code incarnation}: from {@code from} to {@link #until()}, which is
   * {@link Long#MAX_VALUE} while unknown and may move while the stretch is open (the simulator
   * bounds it by a lease deadline that renewals push out); {@link #close} fixes it.
   */
  public static final class Stretch {
    final Incarnation incarnation;
    final long from;
    long until = Long.MAX_VALUE;
    boolean closed;

    Stretch(Incarnation incarnation, long from) {
      this.incarnation = incarnation;
      this.from = from;
    }

    public long from() {
      return from;
    }

    public long until() {
      return until;
    }

    /** Sets the end as known so far (the stretch stays open). */
    public void bound(long end) {
      if (!closed) {
        until = end;
      }
    }

    /** Fixes the end: the stretch is over at {@code end} (an end already passed stays). */
    public void close(long end) {
      if (!closed) {
        until = end;
        closed = true;
      }
    }

    public Incarnation incarnation() {
      return incarnation;
    }
  }

  private record TermKey(long lineage, long term) {}

  private record ProcessKey(String node, long process, long lineage) {}

  private record Known(long term, String leader, long at) {}

  private final Options options;
  private final LongFunction<String> clock;
  private final Consumer<Violation> sink;

  private final Map<TermKey, Map<String, String>> leaders = new HashMap<>();
  private final Map<ProcessKey, Known> highestKnown = new HashMap<>();
  private final Map<Long, Incarnation> highestStart = new HashMap<>();
  private final Map<Long, long[]> highestLease = new HashMap<>();
  private final Map<Long, String> highestLeaseHolder = new HashMap<>();
  private final List<Stretch> stretches = new ArrayList<>();
  private Set<Set<Incarnation>> reportedPairs;
  private long pinnedLineage = Lineage.NONE;
  private boolean pinned;
  private long highestAccepted = Long.MIN_VALUE;
  private Incarnation newestAccepted;

  /**
   * @param clock renders a time of the producer's clock in messages (e.g. "3835.600ms")
   * @param sink receives each violation at the fact that shows it
   */
  public SafetyChecker(Options options, LongFunction<String> clock, Consumer<Violation> sink) {
    this.options = Objects.requireNonNull(options);
    this.clock = Objects.requireNonNull(clock);
    this.sink = Objects.requireNonNull(sink);
  }

  private void report(String property, long at, String message) {
    sink.accept(new Violation(property, at, message));
  }

  // ---- S1 and the terms a process knows ----------------------------------------------------------

  /**
   * {@code reporter} (a node label; its process {@code process}) learned at {@code at} that
   * {@code leader} leads {@code term} of {@code lineage}; a node that became leader reports
   * itself.
   */
  public void elected(String leader, String reporter, long process, long lineage, long term,
      long at) {
    Map<String, String> byLeader = leaders.computeIfAbsent(new TermKey(lineage, term),
        k -> new LinkedHashMap<>(2));
    if (byLeader.putIfAbsent(leader, reporter) == null && byLeader.size() > 1) {
      var names = new StringBuilder();
      byLeader.forEach((l, r) -> names.append(names.length() == 0 ? "" : ", ").append(l)
          .append(l.equals(r) ? "" : " (reported by " + r + ")"));
      report("S1", at, "term " + term + " of lineage " + Lineage.format(lineage) + " has "
          + byLeader.size() + " leaders: " + names);
    }
    var key = new ProcessKey(reporter, process, lineage);
    Known known = highestKnown.get(key);
    if (known == null || term > known.term) {
      highestKnown.put(key, new Known(term, leader, at));
    }
  }

  // ---- S2 -----------------------------------------------------------------------------------------

  /**
   * {@code node} (process {@code process}) took token {@code token} of {@code lineage} at
   * {@code at}: acquired a lease of that term, or started a singleton incarnation with it. Leases
   * and starts are two sequences, each checked on its own.
   */
  public void tokenTaken(TokenKind kind, String node, long process, long lineage, long token,
      long at) {
    if (kind == TokenKind.LEASE) {
      long[] max = highestLease.get(lineage);
      if (max != null && token <= max[0]) {
        report("S2", at, node + " takes a lease with token " + token + " of lineage "
            + Lineage.format(lineage) + " after " + highestLeaseHolder.get(lineage)
            + " took a lease with token " + max[0]);
      }
      if (max == null) {
        highestLease.put(lineage, new long[] {token});
        highestLeaseHolder.put(lineage, node);
      } else if (token > max[0]) {
        max[0] = token;
        highestLeaseHolder.put(lineage, node);
      }
      return;
    }
    Incarnation highest = highestStart.get(lineage);
    boolean sameTermRestart = highest != null && token == highest.token()
        && process == highest.process() && node.equals(highest.node());
    if (highest != null && token <= highest.token()
        && !(options.allowSameTermRestart() && sameTermRestart)) {
      report("S2", at, node + " started a singleton with token " + token + " of lineage "
          + Lineage.format(lineage) + " after " + highest.node() + " had started one with token "
          + highest.token());
    }
    if (highest == null || token > highest.token()) {
      highestStart.put(lineage, new Incarnation(node, process, lineage, token, at));
    }
  }

  // ---- S3 -----------------------------------------------------------------------------------------

  /**
   * {@code incarnation} is active from {@code at} (its start or a resume): S3 against every stretch
   * active at that instant. Returns the stretch, for the producer to {@link Stretch#bound} or
   * {@link Stretch#close}.
   */
  public Stretch stretchBegins(Incarnation incarnation, long at) {
    return stretch(incarnation, at, Long.MAX_VALUE, false);
  }

  /**
   * An active stretch whose end is already known (a batch of recorded history, fed in order of
   * {@code from}): S3 against every stretch active at {@code from}. An empty stretch is ignored.
   */
  public void stretch(Incarnation incarnation, long from, long to) {
    if (to > from) {
      stretch(incarnation, from, to, true);
    }
  }

  private Stretch stretch(Incarnation inc, long from, long to, boolean closed) {
    var s = new Stretch(inc, from);
    s.until = to;
    s.closed = closed;
    boolean prune = false;
    for (int i = 0, n = stretches.size(); i < n; i++) {
      Stretch o = stretches.get(i);
      if (o.until > from && o.from <= from && o.incarnation != inc
          && (options.crossLineageS3() || o.incarnation.lineage() == inc.lineage())) {
        overlap(o, s);
      }
      prune |= o.closed && o.until < from - options.pruneAfter();
    }
    if (prune) {
      stretches.removeIf(o -> o.closed && o.until < from - options.pruneAfter());
    }
    stretches.add(s);
    return s;
  }

  /**
   * {@code b} begins while {@code a} is active. The message names the incarnation that started
   * first first, whichever of the two stretches began first (a resume after a pause may begin
   * beside a newer incarnation).
   */
  private void overlap(Stretch a, Stretch b) {
    if (reportedPairs == null) {
      reportedPairs = new HashSet<>();
    }
    if (a.incarnation.equals(b.incarnation)
        || !reportedPairs.add(Set.of(a.incarnation, b.incarnation))) {
      return;
    }
    boolean inOrder = a.incarnation.started() <= b.incarnation.started();
    Incarnation first = inOrder ? a.incarnation : b.incarnation;
    Incarnation second = inOrder ? b.incarnation : a.incarnation;
    boolean known = a.closed && b.closed;
    report("S3", b.from, "incarnations " + first.describe() + " and " + second.describe()
        + " were both active from " + clock.apply(b.from)
        + (known ? " to " + clock.apply(Math.min(a.until, b.until))
            : " on (" + a.incarnation.describe() + " active since " + clock.apply(a.from) + ")")
        + lineages(a, b));
  }

  private String lineages(Stretch a, Stretch b) {
    long la = a.incarnation.lineage();
    long lb = b.incarnation.lineage();
    return la == lb ? ""
        : " (lineages " + Lineage.format(la) + " and " + Lineage.format(lb) + ")";
  }

  /**
   * {@code node} (process {@code process}) resumed its suspended incarnation with {@code token} of
   * {@code lineage} at {@code at}: the resume rule. The stretch it begins is reported separately.
   */
  public void resumed(String node, long process, long lineage, long token, long at) {
    Known known = highestKnown.get(new ProcessKey(node, process, lineage));
    if (known != null && known.term > token) {
      report("S3", at, node + " resumed its incarnation with token " + token + " of lineage "
          + Lineage.format(lineage) + " at " + clock.apply(at) + ", but it had learned of term "
          + known.term + " (leader " + known.leader + ") at " + clock.apply(known.at)
          + ": an incarnation may only resume in the term of its token");
    }
  }

  private static String write(String what) {
    return what == null || what.isEmpty() ? "write" : "write " + what;
  }

  // ---- S4 -----------------------------------------------------------------------------------------

  /**
   * The fenced resource decided on a write with token ({@code lineage}, {@code token}) at
   * {@code at}; {@code writer} is the incarnation that made it, null when none had that token
   * (an invented token); {@code what} names the write in messages (e.g. "k=3 by node 1").
   */
  public void write(long lineage, long token, boolean accepted, Incarnation writer, String what,
      long at) {
    if (writer == null) {
      report("S4", at, write(what) + " with token " + token + " of lineage "
          + Lineage.format(lineage) + " does not come from a singleton incarnation with that"
          + " token");
    }
    if (!accepted) {
      return;
    }
    if (!pinned) {
      pinned = true;
      pinnedLineage = lineage;
    }
    if (lineage != pinnedLineage) {
      report("S4", at, write(what) + " with token " + token + " of lineage "
          + Lineage.format(lineage) + " was accepted, but the resource was pinned to lineage "
          + Lineage.format(pinnedLineage) + " (tokens of two lineages are never ordered)");
      return;
    }
    if (token < highestAccepted) {
      report("S4", at, write(what) + " with token " + token + " was accepted after token "
          + highestAccepted + " of lineage " + Lineage.format(pinnedLineage)
          + " had reached the resource");
    } else if (writer != null && newestAccepted != null && !newestAccepted.sameToken(writer)
        && newestAccepted.started() > writer.started()) {
      report("S4", at, "the fenced resource accepted a " + write(what) + " of the incarnation "
          + writer.describe() + " (started " + clock.apply(writer.started()) + ") after it"
          + " accepted one of the later incarnation " + newestAccepted.describe() + " (started "
          + clock.apply(newestAccepted.started()) + ")");
    }
    highestAccepted = Math.max(highestAccepted, token);
    if (writer != null && (newestAccepted == null
        || writer.started() > newestAccepted.started())) {
      newestAccepted = writer;
    }
  }
}
