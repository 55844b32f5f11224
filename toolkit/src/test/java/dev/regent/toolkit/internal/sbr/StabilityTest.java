package dev.regent.toolkit.internal.sbr;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StabilityTest {

  private static final long MS = 1_000_000L;

  @Test
  void decidesOnlyAfterStableAfterWithoutChanges() {
    Stability s = new Stability(Duration.ofSeconds(7), Duration.ZERO, 0);
    s.reachabilityChanged(1000 * MS);
    assertInstanceOf(Stability.Verdict.Wait.class, s.check(7999 * MS));
    s.reachabilityChanged(5000 * MS); // a second member becomes unreachable: wait again
    assertInstanceOf(Stability.Verdict.Wait.class, s.check(11_999 * MS));
    assertInstanceOf(Stability.Verdict.Stable.class, s.check(12_000 * MS));
    s.membershipChanged(12_500 * MS);
    assertInstanceOf(Stability.Verdict.Wait.class, s.check(13_000 * MS));
  }

  @Test
  void downsAllWhenReachabilityKeepsChanging() {
    Stability s = new Stability(Duration.ofSeconds(2), Duration.ofSeconds(4), 0);
    for (long t = 0; t <= 5000; t += 1000) {
      s.reachabilityChanged(t * MS);
      assertInstanceOf(Stability.Verdict.Wait.class, s.check(t * MS + 1));
    }
    // 6 s = stable-after + down-all-when-unstable after the first change, never stable so far.
    assertInstanceOf(Stability.Verdict.Wait.class, s.check(6000 * MS));
    assertInstanceOf(Stability.Verdict.Unstable.class, s.check(6000 * MS + 1));
  }

  @Test
  void settlingRestartsTheInstabilityMeasure() {
    Stability s = new Stability(Duration.ofSeconds(2), Duration.ofSeconds(4), 0);
    s.reachabilityChanged(0);
    s.settled(); // every unreachable member healed or downed
    s.reachabilityChanged(5000 * MS);
    assertInstanceOf(Stability.Verdict.Wait.class, s.check(6500 * MS));
    assertInstanceOf(Stability.Verdict.Stable.class, s.check(7000 * MS));
  }

  @Test
  void offNeverDownsAll() {
    Stability s = new Stability(Duration.ofSeconds(2), Duration.ZERO, 0);
    for (long t = 0; t <= 60_000; t += 1000) {
      s.reachabilityChanged(t * MS);
      assertInstanceOf(Stability.Verdict.Wait.class, s.check(t * MS + 1));
    }
  }
}
