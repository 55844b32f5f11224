package dev.regent.multijvm.harness;

import dev.regent.multijvm.harness.HistoryEvent.Fault;
import dev.regent.multijvm.harness.HistoryEvent.FaultKind;
import dev.regent.multijvm.harness.HistoryEvent.LeaderElected;
import dev.regent.multijvm.harness.HistoryEvent.MemberUp;
import dev.regent.multijvm.harness.HistoryEvent.NodeExited;
import dev.regent.multijvm.harness.HistoryEvent.SingletonResumed;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStopped;
import dev.regent.multijvm.harness.HistoryEvent.SingletonSuspended;
import dev.regent.multijvm.harness.HistoryEvent.WriteAttempt;
import dev.regent.toolkit.testkit.SafetyChecker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Judges a {@link History} against Regent's safety contract (README "The safety contract"). The
 * safety properties S1-S4 are judged by the one checker the simulator uses as well, the toolkit
 * test kit's {@link SafetyChecker}: this class turns the recorded events into its facts (leaders
 * reported, singleton starts, active stretches with the pause windows cut out, resumes, the
 * resource's decisions) and keeps what only a multi-JVM history has: pause windows and the resume
 * grace, process exits, and L1. Terms of two lineages are unrelated (docs/ELECTION.md §3.6, §5),
 * so S1 and S2 are judged per lineage, and S4 follows the rule of the toolkit's
 * {@code FencingGuard}: the first accepted write pins a lineage.
 *
 * <ul>
 *   <li><b>S1</b> at most one leader per term of a lineage, over every {@link LeaderElected} report
 *       of every node;
 *   <li><b>S2</b> within each lineage, singleton starts have strictly increasing tokens, in time
 *       order, cluster-wide and across restarts;
 *   <li><b>S3</b> no two singleton incarnations are active at the same instant. An incarnation is
 *       active from its {@link SingletonStarted} or {@link SingletonResumed} to its next
 *       {@link SingletonSuspended}, its {@link SingletonStopped}, its process's exit
 *       ({@link NodeExited}) or the end of the history, whichever comes first: a suspended
 *       incarnation handles nothing, so it is not active (it may still exist beside a newer one,
 *       until its node learns of the newer term and stops it). S3 is promised only for
 *       pauses shorter than the safety margin, so the time a node spent SIGSTOPped, plus
 *       {@link #resumeGrace} after its {@code RESUME} (the woken node needs a moment to notice its
 *       lease is gone), does not count as active for that node's incarnations: S4 covers it;
 *   <li><b>S3 (resume)</b> a resume is valid only in the term of the suspension: an active stretch
 *       of token T must lie inside a lease of term T on its node, and no node can hold the lease
 *       of T once it knows a higher term. So a {@link SingletonResumed} of token T is a violation
 *       when its node (the same process) reported a higher term of that lineage
 *       ({@link LeaderElected}, about itself or another leader) before the resume. Terms only
 *       rise within a process, so "known before the resume" includes "learned during the
 *       suspension";
 *   <li><b>S4</b> the fenced resource's first accepted write pins its lineage. Violations: an
 *       accepted write of any other lineage (whatever its term), and an accepted write of the
 *       pinned lineage with a token smaller than one the resource had already accepted. Also,
 *       every write must come from a singleton incarnation with exactly that lineage and token on
 *       that node and process (no invented tokens);
 *   <li><b>L1</b> a singleton is active at {@code liveness bound} after the last fault, or after
 *       the last node that became Up after it, whichever is later (the contract's L1 holds with a
 *       quorum up; a restarted node may be part of it). Judged at the history's end when that is
 *       sooner, and only when {@link #requireLiveness} is on.
 * </ul>
 *
 * <p>Immutable; {@code withX} methods return changed copies.
 */
public final class HistoryChecker {

  /** One broken property. */
  public record Violation(String property, String message) {
    @Override
    public String toString() {
      return property + ": " + message;
    }
  }

  /** The verdict on a history. */
  public record Result(History history, List<Violation> violations) {
    public boolean ok() {
      return violations.isEmpty();
    }

    /** Throws an {@link AssertionError} listing every violation and the whole history. */
    public void assertOk() {
      if (!ok()) {
        throw new AssertionError(violations.size() + " violation(s):\n  "
            + violations.stream().map(Violation::toString).collect(Collectors.joining("\n  "))
            + "\nhistory:\n" + history.render());
      }
    }
  }

  private final Duration livenessBound;
  private final Duration resumeGrace;
  private final boolean requireLiveness;
  private final boolean allowSameTermRestart;

  private HistoryChecker(Duration livenessBound, Duration resumeGrace, boolean requireLiveness,
      boolean allowSameTermRestart) {
    this.livenessBound = livenessBound;
    this.resumeGrace = resumeGrace;
    this.requireLiveness = requireLiveness;
    this.allowSameTermRestart = allowSameTermRestart;
  }

  /** Liveness bound 15 s (generous, for slow shared machines), resume grace 500 ms, L1 on. */
  public static HistoryChecker defaults() {
    return new HistoryChecker(Duration.ofSeconds(15), Duration.ofMillis(500), true, false);
  }

  public HistoryChecker withLivenessBound(Duration bound) {
    return new HistoryChecker(bound, resumeGrace, requireLiveness, allowSameTermRestart);
  }

  public HistoryChecker withResumeGrace(Duration grace) {
    return new HistoryChecker(livenessBound, grace, requireLiveness, allowSameTermRestart);
  }

  /** Whether to check L1 (off for tests that end without a quorum). */
  public HistoryChecker requireLiveness(boolean on) {
    return new HistoryChecker(livenessBound, resumeGrace, on, allowSameTermRestart);
  }

  /**
   * Relaxes S2 for one case: a new incarnation with the same token as the previous one, on the same
   * node and process, after that one stopped (the node lost and regained its lease within one
   * term of the same lineage). The contract's S2 forbids it as written ("strictly greater than
   * every earlier one of its lineage"); it is harmless for S4 because a fenced resource accepts
   * equal tokens, and no other node can hold that term (S1). Off by default.
   */
  public HistoryChecker allowSameTermRestart(boolean on) {
    return new HistoryChecker(livenessBound, resumeGrace, requireLiveness, on);
  }

  public Result check(History h) {
    var v = new ArrayList<Violation>();
    long t0 = h.events().isEmpty() ? 0 : h.events().get(0).nanos();
    var checker = new SafetyChecker(SafetyChecker.Options.defaults()
        .withAllowSameTermRestart(allowSameTermRestart),
        n -> String.format("%+.3f s", (n - t0) / 1e9),
        x -> v.add(new Violation(x.property(), x.message())));
    var intervals = intervals(h);
    feed(h, intervals, checker);
    if (requireLiveness) {
      checkL1(h, intervals, v);
    }
    return new Result(h, List.copyOf(v));
  }

  private static String label(int node) {
    return "node " + node;
  }

  /**
   * Feeds the checker the facts of {@code h} in time order: the events in the history's order, and
   * each active stretch, with the frozen windows of its node cut out, at its beginning.
   */
  private void feed(History h, List<Interval> intervals, SafetyChecker checker) {
    // Each incarnation as the checker knows it: its first start.
    var incarnations = new HashMap<List<Long>, SafetyChecker.Incarnation>();
    for (SingletonStarted s : h.of(SingletonStarted.class)) {
      incarnations.putIfAbsent(key(s.node(), s.pid(), s.lineage(), s.token()),
          new SafetyChecker.Incarnation(label(s.node()), s.pid(), s.lineage(), s.token(),
              s.nanos()));
    }
    var frozen = frozen(h);
    var pieces = new ArrayList<Interval>();
    for (Interval i : intervals) {
      for (long[] w : subtract(List.of(new long[] {i.start(), i.end()}),
          frozen.getOrDefault(i.node(), List.of()))) {
        pieces.add(new Interval(i.node(), i.pid(), i.lineage(), i.token(), w[0], w[1]));
      }
    }
    pieces.sort((a, b) -> Long.compare(a.start(), b.start()));
    int next = 0;
    for (HistoryEvent e : h.events()) {
      while (next < pieces.size() && pieces.get(next).start() <= e.nanos()) {
        feedStretch(pieces.get(next++), incarnations, checker);
      }
      if (e instanceof LeaderElected l) {
        checker.elected(l.leader(), label(l.node()), l.pid(), l.lineage(), l.term(), l.nanos());
      } else if (e instanceof SingletonStarted s) {
        checker.tokenTaken(SafetyChecker.TokenKind.SINGLETON, label(s.node()), s.pid(),
            s.lineage(), s.token(), s.nanos());
      } else if (e instanceof SingletonResumed r) {
        checker.resumed(label(r.node()), r.pid(), r.lineage(), r.token(), r.nanos());
      } else if (e instanceof WriteAttempt w) {
        SafetyChecker.Incarnation writer =
            incarnations.get(key(w.node(), w.pid(), w.lineage(), w.token()));
        if (writer != null && writer.started() > w.nanos()) {
          writer = null;
        }
        checker.write(w.lineage(), w.token(), w.accepted(), writer, "of " + w.key() + "="
            + w.value() + " by node " + w.node() + " (pid " + w.pid() + ")", w.nanos());
      }
    }
    while (next < pieces.size()) {
      feedStretch(pieces.get(next++), incarnations, checker);
    }
  }

  private static void feedStretch(Interval i, Map<List<Long>, SafetyChecker.Incarnation> byKey,
      SafetyChecker checker) {
    checker.stretch(byKey.get(key(i.node(), i.pid(), i.lineage(), i.token())), i.start(),
        i.end());
  }

  /**
   * One active stretch of an incarnation: [start, end), in nanos. An incarnation that was
   * suspended and resumed has several.
   */
  record Interval(int node, long pid, long lineage, long token, long start, long end) {}

  /** An incarnation being replayed: when its current active stretch began, or null (suspended). */
  private static final class Open {
    final SingletonStarted started;
    Long activeFrom;

    Open(SingletonStarted started, Long activeFrom) {
      this.started = started;
      this.activeFrom = activeFrom;
    }
  }

  private static List<Long> key(int node, long pid, long lineage, long token) {
    return List.of((long) node, pid, lineage, token);
  }

  /**
   * The active stretches of every incarnation, in start order. A supervisor restart (a second
   * start of an open incarnation) continues it; a suspension recorded before its start (the
   * manager may suspend before the instance's setup ran) does not make the start inactive, so
   * the checker errs towards "active".
   */
  static List<Interval> intervals(History h) {
    var open = new LinkedHashMap<List<Long>, Open>();
    var out = new ArrayList<Interval>();
    for (HistoryEvent e : h.events()) {
      if (e instanceof SingletonStarted s) {
        Open o = open.get(key(s.node(), s.pid(), s.lineage(), s.token()));
        if (o == null) {
          open.put(key(s.node(), s.pid(), s.lineage(), s.token()), new Open(s, s.nanos()));
        } else if (o.activeFrom == null) {
          o.activeFrom = s.nanos();
        }
      } else if (e instanceof SingletonSuspended s) {
        Open o = open.get(key(s.node(), s.pid(), s.lineage(), s.token()));
        if (o != null && o.activeFrom != null) {
          out.add(interval(o, s.nanos()));
          o.activeFrom = null;
        }
      } else if (e instanceof SingletonResumed r) {
        Open o = open.get(key(r.node(), r.pid(), r.lineage(), r.token()));
        if (o != null && o.activeFrom == null) {
          o.activeFrom = r.nanos();
        }
      } else if (e instanceof SingletonStopped s) {
        Open o = open.remove(key(s.node(), s.pid(), s.lineage(), s.token()));
        if (o != null && o.activeFrom != null) {
          out.add(interval(o, s.nanos()));
        }
      } else if (e instanceof NodeExited x) {
        var it = open.values().iterator();
        while (it.hasNext()) {
          Open o = it.next();
          if (o.started.pid() == x.pid()) {
            if (o.activeFrom != null) {
              out.add(interval(o, x.nanos()));
            }
            it.remove();
          }
        }
      }
    }
    long end = h.endNanos();
    for (Open o : open.values()) {
      if (o.activeFrom != null) {
        out.add(interval(o, end));
      }
    }
    out.sort((a, b) -> Long.compare(a.start(), b.start()));
    return out;
  }

  private static Interval interval(Open o, long end) {
    SingletonStarted st = o.started;
    return new Interval(st.node(), st.pid(), st.lineage(), st.token(), o.activeFrom, end);
  }

  /** Per node: [from, to) windows in which it was paused (plus the grace after resume). */
  private Map<Integer, List<long[]>> frozen(History h) {
    var out = new HashMap<Integer, List<long[]>>();
    var pausedAt = new HashMap<Integer, Long>();
    for (Fault f : h.of(Fault.class)) {
      for (int n : f.nodes()) {
        if (f.kind() == FaultKind.PAUSE) {
          pausedAt.put(n, f.nanos());
        } else if (f.kind() == FaultKind.RESUME || f.kind() == FaultKind.CRASH
            || f.kind() == FaultKind.RESTART) {
          Long from = pausedAt.remove(n);
          if (from != null) {
            long grace = f.kind() == FaultKind.RESUME ? resumeGrace.toNanos() : 0;
            out.computeIfAbsent(n, k -> new ArrayList<>()).add(new long[] {from, f.nanos() + grace});
          }
        }
      }
    }
    pausedAt.forEach((n, from) ->
        out.computeIfAbsent(n, k -> new ArrayList<>()).add(new long[] {from, Long.MAX_VALUE}));
    return out;
  }

  private static List<long[]> subtract(List<long[]> windows, List<long[]> holes) {
    var cur = new ArrayList<>(windows);
    for (long[] hole : holes) {
      var next = new ArrayList<long[]>();
      for (long[] w : cur) {
        if (hole[1] <= w[0] || hole[0] >= w[1]) {
          next.add(w);
          continue;
        }
        if (hole[0] > w[0]) {
          next.add(new long[] {w[0], hole[0]});
        }
        if (hole[1] < w[1]) {
          next.add(new long[] {hole[1], w[1]});
        }
      }
      cur = next;
    }
    return cur;
  }

  private void checkL1(History h, List<Interval> intervals, List<Violation> v) {
    Optional<Fault> lastFault = h.of(Fault.class).stream()
        .filter(f -> f.kind() != FaultKind.END).reduce((a, b) -> b);
    long lastFaultAt =
        lastFault.map(Fault::nanos).orElse(h.events().isEmpty() ? 0 : h.events().get(0).nanos());
    // L1 holds "with a quorum of voters up": a node restarted by the last faults may be needed for
    // that quorum, so the bound runs from when the last of them is Up, if that is later (a JVM
    // started on a loaded machine took 17 s). A node that never comes Up leaves the fault's time.
    long from = h.of(MemberUp.class).stream().mapToLong(MemberUp::nanos)
        .filter(n -> n - lastFaultAt > 0).max().orElse(lastFaultAt);
    long at = from + livenessBound.toNanos();
    if (h.endNanos() < at) {
      // The history ends before the bound: judge by its end instead, so a test cannot pass L1 by
      // stopping early without a singleton.
      at = h.endNanos();
    }
    long when = at;
    boolean running = intervals.stream().anyMatch(i -> i.start() <= when && when <= i.end());
    if (!running) {
      v.add(new Violation("L1", "no singleton was active "
          + TimeUnit.NANOSECONDS_TO_MILLIS.apply(when - from) + " ms after the last fault ("
          + lastFault.map(f -> f.kind() + " " + f.nodes()).orElse("none") + ")"
          + (from == lastFaultAt ? "" : " and the last node Up after it, "
              + TimeUnit.NANOSECONDS_TO_MILLIS.apply(from - lastFaultAt) + " ms after the fault")));
    }
  }

  private static final class TimeUnit {
    static final java.util.function.LongFunction<Long> NANOSECONDS_TO_MILLIS = n -> n / 1_000_000;
  }
}
