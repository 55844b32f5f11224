package dev.regent.toolkit.fencing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.leadership.Lineage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FencingGuardTest {

  /** The lineage most tests use. */
  private static final long L = 0x5eed_0000_0000_0001L;
  /** Another lineage: a cluster founded separately. */
  private static final long OTHER = 0x0bad_0000_0000_0002L;

  @Test
  void acceptsFirstEqualAndLargerTokensRefusesOlder() {
    var guard = new FencingGuard();
    assertEquals(Optional.empty(), guard.highest());
    assertTrue(guard.tryAccept(FencingToken.of(L, 3)));
    assertTrue(guard.tryAccept(FencingToken.of(L, 3)), "same incarnation");
    assertFalse(guard.tryAccept(FencingToken.of(L, 2)));
    assertTrue(guard.tryAccept(FencingToken.of(L, 7)));
    assertFalse(guard.tryAccept(FencingToken.of(L, 3)), "deposed incarnation");
    assertEquals(Optional.of(FencingToken.of(L, 7)), guard.highest());
  }

  @Test
  void acceptsZeroAndNegativeTermsWhenNothingSeen() {
    assertTrue(new FencingGuard().tryAccept(FencingToken.of(L, 0)));
    assertTrue(new FencingGuard().tryAccept(FencingToken.of(L, Long.MIN_VALUE)));
  }

  @Test
  void checkThrowsNamingBothTokens() {
    var guard = new FencingGuard(FencingToken.of(L, 10));
    guard.check(FencingToken.of(L, 10));
    var e = assertThrows(StaleTokenException.class, () -> guard.check(FencingToken.of(L, 9)));
    assertEquals(FencingToken.of(L, 9), e.offered());
    assertEquals(FencingToken.of(L, 10), e.highest());
    assertTrue(e.getMessage().contains("9") && e.getMessage().contains("10"), e.getMessage());
  }

  @Test
  void tokensOrderByValueWithinALineage() {
    assertTrue(FencingToken.of(L, 1).isOlderThan(FencingToken.of(L, 2)));
    assertFalse(FencingToken.of(L, 2).isOlderThan(FencingToken.of(L, 2)));
    assertEquals(FencingToken.of(L, 5), new FencingToken(L, 5));
  }

  /**
   * Many threads offer random tokens at once: no token is accepted below one that was already the
   * highest when it was offered, none is refused without a larger one accepted, and the final
   * highest is the largest token offered.
   */
  @Test
  void concurrentOffersNeverAcceptBelowTheMaximumSeenBefore() throws Exception {
    var guard = new FencingGuard();
    int threads = 8;
    int perThread = 20_000;
    var start = new CountDownLatch(1);
    var violations = new ConcurrentLinkedQueue<String>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Long>> maxima = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      final int seed = t;
      maxima.add(pool.submit(() -> {
        var random = new java.util.Random(seed);
        long maxOffered = Long.MIN_VALUE;
        start.await();
        for (int i = 0; i < perThread; i++) {
          long value = random.nextInt(1000) + i / 10;
          maxOffered = Math.max(maxOffered, value);
          long before = guard.highest().map(FencingToken::value).orElse(Long.MIN_VALUE);
          boolean accepted = guard.tryAccept(FencingToken.of(L, value));
          if (accepted && value < before) {
            violations.add("accepted " + value + " after " + before + " was accepted");
          }
          // The highest only grows, so a refused token must be below the highest seen after it.
          if (!accepted && value >= guard.highest().get().value()) {
            violations.add("refused " + value + " with highest " + guard.highest().get());
          }
        }
        return maxOffered;
      }));
    }
    start.countDown();
    long max = Long.MIN_VALUE;
    for (Future<Long> f : maxima) {
      max = Math.max(max, f.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertTrue(violations.isEmpty(), () -> String.join("\n", violations));
    assertEquals(Optional.of(FencingToken.of(L, max)), guard.highest());
  }

  /** Two writers race with an old and a new token many times: the old one never wins after the new. */
  @Test
  void racingOldAndNewTokenNewAlwaysEndsHighest() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 2_000; round++) {
        var guard = new FencingGuard(FencingToken.of(L, 1));
        var go = new CountDownLatch(1);
        Future<Boolean> old = pool.submit(() -> {
          go.await();
          return guard.tryAccept(FencingToken.of(L, 1));
        });
        Future<Boolean> newer = pool.submit(() -> {
          go.await();
          return guard.tryAccept(FencingToken.of(L, 2));
        });
        go.countDown();
        assertTrue(newer.get(10, TimeUnit.SECONDS));
        old.get(10, TimeUnit.SECONDS);
        assertEquals(Optional.of(FencingToken.of(L, 2)), guard.highest());
        assertFalse(guard.tryAccept(FencingToken.of(L, 1)));
      }
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Issue 13 scenario 1: two separately founded clusters (a node that lost its state founding
   * anew, a blue/green roll-back, a wrong seed list) both wrote with token 1, and both writes were
   * accepted (the guard accepted equal tokens). Tokens had no lineage before, so the old code
   * cannot express this test; now the first accepted token pins its lineage and a token of any
   * other lineage is refused, whatever its term, lower, equal or higher.
   */
  @Test
  void firstTokenPinsItsLineageAndOtherLineagesAreRefusedWhateverTheirTerm() {
    var guard = new FencingGuard();
    assertEquals(OptionalLong.empty(), guard.lineage());
    assertTrue(guard.tryAccept(FencingToken.of(L, 5)));
    assertEquals(OptionalLong.of(L), guard.lineage());
    assertFalse(guard.tryAccept(FencingToken.of(OTHER, 1)), "lower term of another lineage");
    assertFalse(guard.tryAccept(FencingToken.of(OTHER, 5)), "equal term of another lineage");
    assertFalse(guard.tryAccept(FencingToken.of(OTHER, 6)), "higher term of another lineage");
    assertTrue(guard.tryAccept(FencingToken.of(L, 5)), "same incarnation");
    assertTrue(guard.tryAccept(FencingToken.of(L, 6)));
    assertEquals(Optional.of(FencingToken.of(L, 6)), guard.highest());
    var e = assertThrows(StaleTokenException.class, () -> guard.check(FencingToken.of(OTHER, 9)));
    assertTrue(e.foreignLineage());
    assertTrue(e.getMessage().contains(Lineage.format(OTHER))
        && e.getMessage().contains(Lineage.format(L)), e.getMessage());
    var stale = assertThrows(StaleTokenException.class, () -> guard.check(FencingToken.of(L, 2)));
    assertFalse(stale.foreignLineage());
  }

  @Test
  void aGuardStartedFromAStoredTokenKeepsItsLineage() {
    var guard = new FencingGuard(FencingToken.of(L, 10));
    assertFalse(guard.tryAccept(FencingToken.of(OTHER, 11)));
    assertTrue(guard.tryAccept(FencingToken.of(L, 10)));
  }

  @Test
  void moveToLineageAcceptsOnlyTheNewLineageFromItsFloor() {
    var guard = new FencingGuard();
    assertTrue(guard.tryAccept(FencingToken.of(L, 7)));
    guard.moveToLineage(OTHER, 8);
    assertEquals(OptionalLong.of(OTHER), guard.lineage());
    assertEquals(Optional.empty(), guard.highest(), "nothing of the new lineage accepted yet");
    assertFalse(guard.tryAccept(FencingToken.of(L, 9)), "the old lineage is refused now");
    assertFalse(guard.tryAccept(FencingToken.of(OTHER, 7)), "below the floor");
    assertTrue(guard.tryAccept(FencingToken.of(OTHER, 8)), "the floor is inclusive");
    assertTrue(guard.tryAccept(FencingToken.of(OTHER, 8)), "same incarnation");
    assertFalse(guard.tryAccept(FencingToken.of(L, 100)));
    assertEquals(Optional.of(FencingToken.of(OTHER, 8)), guard.highest());
  }

  @Test
  void movingBackwardsWithinTheSameLineageIsRefused() {
    var guard = new FencingGuard();
    assertTrue(guard.tryAccept(FencingToken.of(L, 7)));
    assertThrows(IllegalArgumentException.class, () -> guard.moveToLineage(L, 3));
    guard.moveToLineage(L, 7);
    assertTrue(guard.tryAccept(FencingToken.of(L, 7)), "still the same incarnation");
    guard.moveToLineage(L, 20);
    assertFalse(guard.tryAccept(FencingToken.of(L, 19)));
  }

  @Test
  void aGuardPinnedByTheOperatorRefusesEveryOtherLineageFromTheStart() {
    var guard = new FencingGuard(L, 4);
    assertEquals(OptionalLong.of(L), guard.lineage());
    assertFalse(guard.tryAccept(FencingToken.of(OTHER, 50)));
    assertFalse(guard.tryAccept(FencingToken.of(L, 3)));
    assertTrue(guard.tryAccept(FencingToken.of(L, 4)));
  }

  @Test
  void fencedStorePinsALineage() {
    var store = new FencedStore();
    assertTrue(store.put(FencingToken.of(L, 3), "k", 1));
    assertFalse(store.put(FencingToken.of(OTHER, 3), "k", 2));
    assertFalse(store.put(FencingToken.of(OTHER, 4), "k", 2));
    assertEquals(Optional.of(1L), store.get("k"));
    store.moveToLineage(OTHER, 4);
    assertFalse(store.put(FencingToken.of(L, 5), "k", 3));
    assertTrue(store.put(FencingToken.of(OTHER, 4), "k", 4));
    assertEquals(Optional.of(4L), store.get("k"));
    assertEquals(3, store.rejected().size());
  }

  @Test
  void tokensOfDifferentLineagesAreNotOrdered() {
    assertThrows(IllegalArgumentException.class,
        () -> FencingToken.of(L, 1).isOlderThan(FencingToken.of(OTHER, 2)));
    assertFalse(FencingToken.of(L, 1).equals(FencingToken.of(OTHER, 1)));
  }
}
