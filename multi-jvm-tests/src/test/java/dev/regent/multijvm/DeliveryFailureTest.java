package dev.regent.multijvm;

import static dev.regent.multijvm.Singletons.awaitFirst;
import static dev.regent.multijvm.Singletons.awaitNewer;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.DeliveryChecker;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStopped;
import dev.regent.multijvm.harness.MultiJvmCluster;
import dev.regent.multijvm.harness.SeqLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * At-least-once delivery through the proxy on real node JVMs, judged by the
 * {@link DeliveryChecker}: a sender on a follower streams {@value #COUNT} messages at
 * {@value #RATE}/s through its proxy ({@link DeliverySetup}); about a second in, the singleton's
 * host is crashed (SIGKILL), paused (SIGSTOP) or cut off from the others; the cluster is healed
 * (restart, resume, heal); then every message sent must have been processed at least once (D2)
 * and every confirmed one processed (D1). {@link #atMostOnceFailsTheAtLeastOnceChecker} runs the
 * crash with the at-most-once proxy (one that never resends) to show the checker catches it.
 * The safety checker (S1-S4, L1) runs over each history too. No downing provider: the election
 * alone decides (the faults are about the proxy, not the split-brain resolver).
 */
class DeliveryFailureTest {

  private static final Duration UP = Duration.ofSeconds(90);
  static final int RATE = 100;
  static final int COUNT = 400;

  private enum Fault { CRASH, PAUSE, PARTITION }

  @Test
  void atLeastOnceThroughAHostCrash(TestInfo info) {
    run(info, "at-least-once", Fault.CRASH).assertOk();
  }

  @Test
  void atLeastOnceThroughAHostPause(TestInfo info) {
    run(info, "at-least-once", Fault.PAUSE).assertOk();
  }

  @Test
  void atLeastOnceThroughAPartitionOfTheHost(TestInfo info) {
    run(info, "at-least-once", Fault.PARTITION).assertOk();
  }

  /** The broken variant: a proxy that does not resend (at-most-once) loses messages in a crash. */
  @Test
  void atMostOnceFailsTheAtLeastOnceChecker(TestInfo info) {
    DeliveryChecker.Result r = run(info, "at-most-once", Fault.CRASH);
    assertFalse(r.ok(), "the checker must catch the messages an at-most-once proxy lost: "
        + r.summary());
    assertTrue(r.violations().stream().allMatch(v -> v.startsWith("D2:")), r.violations()
        .toString());
  }

  private static long sent(MultiJvmCluster c, int sender) {
    return Long.parseLong(c.probe(sender, DeliverySetup.SENT).trim());
  }

  private static List<Long> processed(MultiJvmCluster c) {
    var all = new ArrayList<Long>();
    for (int i = 0; i < c.size(); i++) {
      all.addAll(SeqLog.read(DeliverySetup.processedLog(c.stateDirectory(i))));
    }
    return all;
  }

  private static DeliveryChecker.Result run(TestInfo info, String mode, Fault fault) {
    String name = info.getTestMethod().orElseThrow().getName();
    long t0 = System.nanoTime();
    try (var c = MultiJvmCluster.builder(name).nodes(3).setup(DeliverySetup.class)
        .config(DeliverySetup.config(mode, RATE, COUNT)).start()) {
      c.awaitAllUp(UP);
      SingletonStarted first = awaitFirst(c);
      int host = first.node();
      int sender = (host + 1) % c.size();
      int other = (host + 2) % c.size();
      c.probe(sender, DeliverySetup.START);
      c.awaitCondition("a second of the stream was sent", Singletons.WAIT,
          () -> sent(c, sender) >= RATE);
      switch (fault) {
        case CRASH -> c.crash(host);
        case PAUSE -> c.pause(host);
        case PARTITION -> c.partition(Set.of(host), Set.of(sender, other));
      }
      SingletonStarted next = awaitNewer(c, first);
      switch (fault) {
        case CRASH -> {
          c.restart(host);
          c.awaitAllUp(UP);
        }
        case PAUSE -> {
          c.resume(host);
          c.awaitCondition("the woken old incarnation stopped", Singletons.WAIT,
              () -> c.history().of(SingletonStopped.class).stream()
                  .anyMatch(s -> s.pid() == first.pid() && s.token() == first.token()));
        }
        case PARTITION -> {
          c.awaitCondition("the cut-off old incarnation stopped", Singletons.WAIT,
              () -> c.history().of(SingletonStopped.class).stream()
                  .anyMatch(s -> s.pid() == first.pid() && s.token() == first.token()));
          c.heal();
        }
      }
      c.awaitCondition("the whole stream was sent", Singletons.WAIT,
          () -> sent(c, sender) >= COUNT);
      // Drained: every message processed, or nothing new processed for 3 s (bounded).
      long[] last = {-1};
      long[] changed = {System.nanoTime()};
      c.awaitCondition("the stream drained", Duration.ofSeconds(60), () -> {
        List<Long> p = processed(c);
        long distinct = p.stream().distinct().count();
        if (distinct != last[0]) {
          last[0] = distinct;
          changed[0] = System.nanoTime();
        }
        return distinct >= COUNT || System.nanoTime() - changed[0] > 3_000_000_000L;
      });
      var confirmed = SeqLog.read(DeliverySetup.confirmedLog(c.stateDirectory(sender)));
      DeliveryChecker checker = DeliveryChecker.atLeastOnce();
      DeliveryChecker.Result r = checker.check(sent(c, sender), confirmed, processed(c));
      String[] proxy = c.probe(sender, DeliverySetup.PROXY).trim().split(" ");
      System.out.println("MEASURED delivery " + mode + " " + fault.name().toLowerCase() + ": "
          + r.summary() + "; proxy: " + proxy[0] + " sent straight to the incarnation, "
          + proxy[1] + " resent, " + proxy[2] + " duplicate confirmations; new incarnation on"
          + " node " + next.node() + "; test took " + (System.nanoTime() - t0) / 1_000_000
          + " ms");
      // Direct routing engaged on real JVMs (the first messages go through the manager).
      assertTrue(Long.parseLong(proxy[0]) > 0, "no message was sent straight to the incarnation");
      FailureSuiteTest.check(c.history());
      return r;
    }
  }
}
