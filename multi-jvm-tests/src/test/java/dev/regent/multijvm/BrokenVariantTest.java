package dev.regent.multijvm;

import static dev.regent.multijvm.Singletons.awaitFirst;
import static dev.regent.multijvm.Singletons.awaitNewer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.History;
import dev.regent.multijvm.harness.HistoryChecker;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.MultiJvmCluster;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The checker must fail when the contract is broken: the same fault as
 * {@code FailureSuiteTest.leaderPausedLongerThanItsLease}, on real JVMs, with a singleton that does
 * not stop cooperatively ({@link NonCooperativeCounterSetup}: its handler loops, writing, and never
 * returns), so that a leader that lost its lease cannot suspend or stop it. The leader is
 * SIGSTOPped until a new incarnation runs elsewhere and has written, then SIGCONTed: the old
 * incarnation keeps running beside the new one, and the checker must report S3 (overlapping
 * incarnations) for exactly those two. The product is unchanged; the broken part is the test's
 * singleton.
 *
 * <p>No downing provider: the pause is shorter than the failure detector's acceptable pause anyway,
 * and a resolver downing the woken node would end the overlap for a reason unrelated to the
 * singleton.
 */
class BrokenVariantTest {

  @Test
  void checkerCatchesASingletonThatOutlivesItsLease() {
    try (var c = MultiJvmCluster.builder("brokenVariantKeepsSingletonAfterLeaseLoss").nodes(3)
        .setup(NonCooperativeCounterSetup.class).start()) {
      c.awaitAllUp(Duration.ofSeconds(90));
      SingletonStarted first = awaitFirst(c);
      c.pause(first.node());
      SingletonStarted next = awaitNewer(c, first);
      c.awaitCondition("the new incarnation wrote to the resource", Singletons.WAIT,
          () -> c.resource().writes().stream()
              .anyMatch(w -> w.token() == next.token() && w.accepted()));
      c.resume(first.node());
      long resumed = System.nanoTime();
      // Evidence that the old incarnation still runs well past the checker's resume grace
      // (500 ms): a write attempt by it more than a second after the resume.
      c.awaitCondition("the old incarnation still writes a second after its node resumed",
          Singletons.WAIT, () -> c.resource().writes().stream()
              .anyMatch(w -> w.pid() == first.pid() && w.token() == first.token()
                  && w.nanos() - resumed > Duration.ofSeconds(1).toNanos()));
      History h = c.history();
      HistoryChecker.Result result = HistoryChecker.defaults().allowSameTermRestart(true).check(h);
      result.violations().forEach(v -> System.out.println("MEASURED broken variant: checker says "
          + v));
      assertFalse(result.ok(), "the checker must fail on the broken variant:\n" + h.render());
      Set<String> properties = new TreeSet<>();
      result.violations().forEach(v -> properties.add(v.property()));
      // Only S3: the fenced resource still rejected the stale writes (S4), the election stayed
      // safe (S1), no token went backwards (S2), and a singleton ran (L1).
      assertEquals(Set.of("S3"), properties, result.violations().toString());
      String expected = "token " + first.token() + " on node " + first.node() + " and token "
          + next.token() + " on node " + next.node();
      assertTrue(result.violations().stream().anyMatch(v -> v.message().contains(expected)),
          "an S3 violation names " + expected + ": " + result.violations());
    }
  }
}
