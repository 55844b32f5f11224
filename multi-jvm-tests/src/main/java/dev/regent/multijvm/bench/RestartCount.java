package dev.regent.multijvm.bench;

import dev.regent.multijvm.harness.HistoryEvent;
import dev.regent.multijvm.harness.HistoryEvent.LeaderElected;
import dev.regent.multijvm.harness.HistoryEvent.SingletonResumed;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStopped;
import dev.regent.multijvm.harness.HistoryEvent.SingletonSuspended;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;

/**
 * What one cluster's singleton did in a quiet window of the loaded phase (no fault injected), from
 * its nodes' histories: the value of the row "spurious singleton restarts under load" and its note.
 *
 * @param starts singleton incarnations started in the window (any node, any process)
 * @param sameTerm of those, starts of a fencing token the same node had started before (a
 *     same-term restart: Regent's S2 as the safety contract words it forbids it). Meaningless for
 *     Pekko, whose incarnations all carry the same constant token
 * @param stops incarnations that stopped in the window
 * @param suspensions Regent: incarnations suspended in the window (their lease lapsed; not a
 *     restart: the instance keeps its state)
 * @param resumes Regent: suspended incarnations resumed in the window
 * @param newTerms Regent: election terms first reported (by any node) in the window
 */
record RestartCount(int starts, int sameTerm, int stops, int suspensions, int resumes,
    int newTerms) {

  /**
   * The row's value: the larger of starts and stops, i.e. every incarnation that lost its state
   * or was started anew. A stop followed by its restart counts once; a stop without a start (the
   * singleton is gone) or a start without a stop (a second instance, or one whose JVM died without
   * reporting a stop) counts once each.
   */
  int restarts() {
    return Math.max(starts, stops);
  }

  /**
   * Counts the events of {@code nodes} (each node's history, any order; every process of the node)
   * with {@code t0 <= nanos <= t1}. A start is same-term when its node started the same (lineage,
   * token) at an earlier time, in the window or before it; a term is new when no node reported it
   * before {@code t0}.
   */
  static RestartCount of(List<List<HistoryEvent>> nodes, long t0, long t1) {
    int starts = 0;
    int stops = 0;
    int sameTerm = 0;
    int suspensions = 0;
    int resumes = 0;
    var termsBefore = new HashSet<List<Long>>();
    var termsIn = new HashSet<List<Long>>();
    for (List<HistoryEvent> history : nodes) {
      var started = new HashSet<List<Long>>();
      List<HistoryEvent> sorted = new ArrayList<>(history);
      sorted.sort(Comparator.comparingLong(HistoryEvent::nanos));
      for (HistoryEvent e : sorted) {
        if (e.nanos() > t1) {
          break;
        }
        boolean in = e.nanos() >= t0;
        if (e instanceof SingletonStarted s) {
          boolean again = !started.add(List.of(s.lineage(), s.token()));
          if (in) {
            starts++;
            sameTerm += again ? 1 : 0;
          }
        } else if (e instanceof SingletonStopped) {
          stops += in ? 1 : 0;
        } else if (e instanceof SingletonSuspended) {
          suspensions += in ? 1 : 0;
        } else if (e instanceof SingletonResumed) {
          resumes += in ? 1 : 0;
        } else if (e instanceof LeaderElected l) {
          (in ? termsIn : termsBefore).add(List.of(l.lineage(), l.term()));
        }
      }
    }
    termsIn.removeAll(termsBefore);
    return new RestartCount(starts, sameTerm, stops, suspensions, resumes, termsIn.size());
  }

  /**
   * The note's text, e.g. {@code 2 starts (1 same-term), 2 stops, 3 suspensions (3 resumed), 1 new
   * terms, 0 node exits}; without the Regent-only parts for Pekko.
   */
  String describe(boolean regent, int nodeExits) {
    return starts + " starts" + (regent ? " (" + sameTerm + " same-term)" : "") + ", " + stops
        + " stops" + (regent ? ", " + suspensions + " suspensions (" + resumes + " resumed), "
            + newTerms + " new terms" : "")
        + ", " + nodeExits + " node exits";
  }
}
