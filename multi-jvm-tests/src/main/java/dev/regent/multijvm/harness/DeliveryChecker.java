package dev.regent.multijvm.harness;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges what happened to the messages one sender sent to a singleton through its proxy, from
 * three pieces of evidence: the sender sent messages {@code 1..sent}; the sender was told that
 * messages {@code confirmed} were processed (the singleton's own reply, sent after it recorded the
 * message); every incarnation recorded each message it processed ({@code processed}, duplicates
 * kept). Properties:
 *
 * <ul>
 *   <li><b>D1</b> (every mode): every message whose confirmation reached the sender was processed
 *       by some incarnation;</li>
 *   <li><b>D2</b> (at-least-once): every message sent was processed at least once, judged after
 *       the cluster has healed and the stream has drained (the caller waits for that, bounded);</li>
 *   <li><b>D3</b> (every mode): nothing was processed that was not sent.</li>
 * </ul>
 * Also reports, without judging, how many were lost (sent, never processed) and how many
 * processed more than once. Assumption: the sender's own node lives through the run (an
 * at-least-once proxy keeps unconfirmed messages in memory on that node).
 */
public final class DeliveryChecker {

  /** What a run's evidence showed. */
  public record Result(long sent, long confirmed, long processedDistinct, long lost,
      long duplicates, List<String> violations) {

    public boolean ok() {
      return violations.isEmpty();
    }

    /** Throws an {@link AssertionError} listing every violation. */
    public void assertOk() {
      if (!ok()) {
        throw new AssertionError("delivery checker: " + violations.size() + " violation(s):\n  "
            + String.join("\n  ", violations) + "\n" + summary());
      }
    }

    public String summary() {
      return "sent " + sent + ", confirmed " + confirmed + ", processed " + processedDistinct
          + " distinct, lost " + lost + ", duplicates " + duplicates;
    }
  }

  private final boolean atLeastOnce;

  private DeliveryChecker(boolean atLeastOnce) {
    this.atLeastOnce = atLeastOnce;
  }

  /** D1 and D3 only: messages may be lost. */
  public static DeliveryChecker atMostOnce() {
    return new DeliveryChecker(false);
  }

  /** D1, D2 and D3. */
  public static DeliveryChecker atLeastOnce() {
    return new DeliveryChecker(true);
  }

  /**
   * @param sent the sender sent messages 1..sent
   * @param confirmed the messages whose confirmation reached the sender
   * @param processed every processing of a message by any incarnation (duplicates kept)
   */
  public Result check(long sent, Collection<Long> confirmed, Collection<Long> processed) {
    Map<Long, Integer> counts = new TreeMap<>();
    for (long p : processed) {
      counts.merge(p, 1, Integer::sum);
    }
    Set<Long> confirmedSet = new HashSet<>(confirmed);
    var violations = new ArrayList<String>();
    var unprocessedConfirmed = new TreeSet<Long>();
    for (long c : confirmedSet) {
      if (!counts.containsKey(c)) {
        unprocessedConfirmed.add(c);
      }
    }
    if (!unprocessedConfirmed.isEmpty()) {
      violations.add("D1: " + unprocessedConfirmed.size() + " message(s) confirmed to the sender"
          + " but processed by no incarnation: " + firstFew(unprocessedConfirmed));
    }
    var lost = new TreeSet<Long>();
    for (long s = 1; s <= sent; s++) {
      if (!counts.containsKey(s)) {
        lost.add(s);
      }
    }
    if (atLeastOnce && !lost.isEmpty()) {
      violations.add("D2: " + lost.size() + " of " + sent + " message(s) sent at least once but"
          + " never processed: " + firstFew(lost));
    }
    var unsent = new TreeSet<Long>();
    for (long p : counts.keySet()) {
      if (p < 1 || p > sent) {
        unsent.add(p);
      }
    }
    if (!unsent.isEmpty()) {
      violations.add("D3: " + unsent.size() + " message(s) processed but never sent: "
          + firstFew(unsent));
    }
    long duplicates = counts.values().stream().mapToLong(n -> n - 1).sum();
    return new Result(sent, confirmedSet.size(), counts.size(), lost.size(), duplicates,
        List.copyOf(violations));
  }

  private static String firstFew(TreeSet<Long> s) {
    var few = s.stream().limit(10).toList();
    return few + (s.size() > few.size() ? " ..." : "");
  }
}
