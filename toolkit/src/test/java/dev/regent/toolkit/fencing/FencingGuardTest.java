package dev.regent.toolkit.fencing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FencingGuardTest {

  @Test
  void acceptsFirstEqualAndLargerTokensRefusesOlder() {
    var guard = new FencingGuard();
    assertEquals(Optional.empty(), guard.highest());
    assertTrue(guard.tryAccept(FencingToken.of(3)));
    assertTrue(guard.tryAccept(FencingToken.of(3)), "same incarnation");
    assertFalse(guard.tryAccept(FencingToken.of(2)));
    assertTrue(guard.tryAccept(FencingToken.of(7)));
    assertFalse(guard.tryAccept(FencingToken.of(3)), "deposed incarnation");
    assertEquals(Optional.of(FencingToken.of(7)), guard.highest());
  }

  @Test
  void acceptsZeroAndNegativeTermsWhenNothingSeen() {
    assertTrue(new FencingGuard().tryAccept(FencingToken.of(0)));
    assertTrue(new FencingGuard().tryAccept(FencingToken.of(Long.MIN_VALUE)));
  }

  @Test
  void checkThrowsNamingBothTokens() {
    var guard = new FencingGuard(FencingToken.of(10));
    guard.check(FencingToken.of(10));
    var e = assertThrows(StaleTokenException.class, () -> guard.check(FencingToken.of(9)));
    assertEquals(FencingToken.of(9), e.offered());
    assertEquals(FencingToken.of(10), e.highest());
    assertTrue(e.getMessage().contains("9") && e.getMessage().contains("10"), e.getMessage());
  }

  @Test
  void tokensOrderByValue() {
    assertTrue(FencingToken.of(1).compareTo(FencingToken.of(2)) < 0);
    assertTrue(FencingToken.of(1).isOlderThan(FencingToken.of(2)));
    assertFalse(FencingToken.of(2).isOlderThan(FencingToken.of(2)));
    assertEquals(FencingToken.of(5), new FencingToken(5));
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
          boolean accepted = guard.tryAccept(FencingToken.of(value));
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
    assertEquals(Optional.of(FencingToken.of(max)), guard.highest());
  }

  /** Two writers race with an old and a new token many times: the old one never wins after the new. */
  @Test
  void racingOldAndNewTokenNewAlwaysEndsHighest() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 2_000; round++) {
        var guard = new FencingGuard(FencingToken.of(1));
        var go = new CountDownLatch(1);
        Future<Boolean> old = pool.submit(() -> {
          go.await();
          return guard.tryAccept(FencingToken.of(1));
        });
        Future<Boolean> newer = pool.submit(() -> {
          go.await();
          return guard.tryAccept(FencingToken.of(2));
        });
        go.countDown();
        assertTrue(newer.get(10, TimeUnit.SECONDS));
        old.get(10, TimeUnit.SECONDS);
        assertEquals(Optional.of(FencingToken.of(2)), guard.highest());
        assertFalse(guard.tryAccept(FencingToken.of(1)));
      }
    } finally {
      pool.shutdown();
    }
  }
}
