package dev.regent.toolkit.internal.hosting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.internal.hosting.HostingDecision.Action;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hosting rule as scenarios. Each line of a script is {@code <time ms> <event> [args] ->
 * <decision>}: the event changes the state, then the rule decides at that time and the state
 * becomes the decision's {@code next}. Times in milliseconds; the rule under test has the
 * singleton defaults: stop-timeout 200 ms, lease-margin 50 ms, a 10 ms scheduler tick and
 * max-suspension 2 s. So an instance is suspended 260 ms before its lease ends, and an active
 * instance's hard stop is at most 60 ms before it.
 *
 * <p>Events: {@code leaseAcquired T D} (BecameLeader of term T, lease until D), {@code
 * leaseRenewed T D}, {@code notLeader} (stepped down, leader lost or another leader), {@code
 * handingOver T}, {@code shutdown}, {@code terminated} (the instance's Terminated), {@code check}
 * (a recheck timer fired). Decisions print as {@code START(T)}, {@code SUSPEND(T)}, {@code
 * RESUME(T)}, {@code STOP(T) hard at H} (stop message, hard stop at H), {@code STOP(T) at once}
 * (without the stop message) or {@code NOTHING}, then {@code , recheck H} if a timer is due.
 */
class HostingRuleTest {

  private static final long MS = 1_000_000;
  private static final HostingRule RULE = new HostingRule(200 * MS, 50 * MS, 10 * MS, 2_000 * MS);

  @Test
  void startsOnlyWithALeaseAndSuspendsWhenItRunsLow() {
    run("""
        0    leaseAcquired 5 200   -> NOTHING
        10   leaseAcquired 5 400   -> START(5), recheck 140
        100  leaseRenewed 5 500    -> NOTHING, recheck 240
        240  check                 -> SUSPEND(5), recheck 2240
        """);
  }

  @Test
  void aRenewalInTheSameTermResumesTheSuspendedInstance() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        240  check                 -> SUSPEND(5), recheck 2240
        300  leaseRenewed 5 800    -> RESUME(5), recheck 540
        540  check                 -> SUSPEND(5), recheck 2540
        """);
  }

  @Test
  void aRenewalTooLateToLeaveTheStopBudgetDoesNotResume() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        240  check                 -> SUSPEND(5), recheck 2240
        300  leaseRenewed 5 560    -> NOTHING, recheck 2240
        """);
  }

  @Test
  void aSuspendedInstanceIsStoppedAtOnceWithoutItsStopMessage() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        240  check                 -> SUSPEND(5), recheck 2240
        500  notLeader             -> STOP(5) at once
        501  terminated            -> NOTHING
        """);
  }

  @Test
  void aSuspensionLongerThanMaxSuspensionStopsTheInstanceAndARenewalStartsANewOne() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        240  check                 -> SUSPEND(5), recheck 2240
        2240 check                 -> STOP(5) at once
        2241 terminated            -> NOTHING
        2300 leaseRenewed 5 2800   -> START(5), recheck 2540
        """);
  }

  @Test
  void aSuspensionThatLastedMaxSuspensionStopsEvenIfARenewalArrivesThen() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        240  check                 -> SUSPEND(5), recheck 2240
        2240 leaseRenewed 5 2800   -> STOP(5) at once
        """);
  }

  @Test
  void anActiveInstanceGetsItsStopMessageAndAHardStopWithinTheLease() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        100  notLeader             -> STOP(5) hard at 300
        150  leaseAcquired 6 700   -> NOTHING
        160  terminated            -> START(6), recheck 440
        """);
  }

  @Test
  void theHardStopIsNeverLaterThanTheLeaseMarginBeforeTheLastKnownLeaseEnds() {
    // The lease check due at 240 has not fired yet when the step-down arrives.
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        230  notLeader             -> STOP(5) hard at 430
        """);
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        250  notLeader             -> STOP(5) hard at 440
        """);
  }

  @Test
  void aNewerTermOfThisNodeStopsTheOldInstanceBeforeStartingItsOwn() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        100  leaseAcquired 7 600   -> STOP(5) hard at 300
        120  terminated            -> START(7), recheck 340
        """);
  }

  @Test
  void anInstanceThatStoppedByItselfIsNotRestartedInTheSameTerm() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        100  terminated            -> NOTHING
        150  leaseRenewed 5 650    -> NOTHING
        200  leaseAcquired 5 700   -> NOTHING
        300  leaseAcquired 6 800   -> START(6), recheck 540
        """);
  }

  @Test
  void aHandedOverTermNeverStartsAgain() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        100  handingOver 5         -> STOP(5) hard at 300
        110  terminated            -> NOTHING
        120  leaseRenewed 5 620    -> NOTHING
        130  notLeader             -> NOTHING
        900  leaseAcquired 8 1400  -> START(8), recheck 1140
        """);
  }

  @Test
  void aHandOverBeforeTheLeaseArrivedKeepsTheTermFinished() {
    run("""
        0    handingOver 5         -> NOTHING
        10   leaseAcquired 5 500   -> NOTHING
        """);
  }

  @Test
  void shutdownStopsTheInstanceAndNothingStartsAfterIt() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        100  shutdown              -> STOP(5) hard at 300
        110  terminated            -> NOTHING
        120  leaseAcquired 6 600   -> NOTHING
        """);
  }

  @Test
  void aSuspendedInstanceIsStoppedByShutdownAndHandOverAtOnce() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        240  check                 -> SUSPEND(5), recheck 2240
        250  handingOver 5         -> STOP(5) at once
        """);
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        240  check                 -> SUSPEND(5), recheck 2240
        250  shutdown              -> STOP(5) at once
        """);
  }

  @Test
  void aStoppingInstanceIsLeftAloneUntilItTerminated() {
    run("""
        0    leaseAcquired 5 500   -> START(5), recheck 240
        100  notLeader             -> STOP(5) hard at 300
        200  leaseAcquired 5 700   -> NOTHING
        250  terminated            -> START(5), recheck 440
        """);
  }

  @Test
  void theHardStopUsesTheLastLeaseOfTheInstancesTermNotALaterTerms() {
    run("""
        0    leaseAcquired 5 300   -> START(5), recheck 40
        20   leaseAcquired 6 900   -> STOP(5) hard at 220
        """);
    run("""
        0    leaseAcquired 5 300   -> START(5), recheck 40
        60   leaseAcquired 6 900   -> STOP(5) hard at 240
        """);
  }

  @Test
  void leaseLeftIsTheActiveRule() {
    assertTrue(RULE.leaseLeft(500 * MS, 239 * MS));
    assertFalse(RULE.leaseLeft(500 * MS, 240 * MS));
    assertEquals(240 * MS, RULE.suspendAt(500 * MS));
    assertEquals(250 * MS, RULE.stopBudgetNanos());
  }

  @Test
  void timesWrapLikeNanoTime() {
    long base = Long.MAX_VALUE - 100 * MS;
    HostingState s = HostingState.INITIAL.leaseAcquired(5, base + 500 * MS);
    HostingDecision d = RULE.decide(s, base);
    assertEquals(Action.START, d.action());
    assertEquals(base + 240 * MS, d.recheckAt().getAsLong());
    d = RULE.decide(d.next().notLeader(), base + 100 * MS);
    assertEquals(Action.BEGIN_STOP, d.action());
    assertEquals(base + 300 * MS, d.hardStopAt());
  }

  @Test
  void invalidRulesAndStatesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new HostingRule(1, 1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new HostingRule(-1, 1, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new HostingState(-2, 0, -1, false,
        HostingState.Instance.NONE, -1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new HostingState(-1, 0, -1, false,
        HostingState.Instance.RUNNING, -1, 0, 0));
  }

  private static void run(String script) {
    HostingState state = HostingState.INITIAL;
    List<String> expected = new ArrayList<>();
    List<String> actual = new ArrayList<>();
    for (String line : script.strip().split("\n")) {
      String[] sides = line.split("->");
      String[] words = sides[0].trim().split("\\s+");
      long now = Long.parseLong(words[0]) * MS;
      state = switch (words[1]) {
        case "leaseAcquired" -> state.leaseAcquired(Long.parseLong(words[2]),
            Long.parseLong(words[3]) * MS);
        case "leaseRenewed" -> state.leaseRenewed(Long.parseLong(words[2]),
            Long.parseLong(words[3]) * MS);
        case "notLeader" -> state.notLeader();
        case "handingOver" -> state.handingOver(Long.parseLong(words[2]));
        case "shutdown" -> state.shutdown();
        case "terminated" -> state.terminated();
        case "check" -> state;
        default -> throw new IllegalArgumentException("unknown event in: " + line);
      };
      HostingDecision d = RULE.decide(state, now);
      state = d.next();
      expected.add(sides[0].trim() + " -> " + sides[1].trim());
      actual.add(sides[0].trim() + " -> " + format(d));
    }
    assertEquals(String.join("\n", expected), String.join("\n", actual));
  }

  private static String format(HostingDecision d) {
    String what = switch (d.action()) {
      case NOTHING -> "NOTHING";
      case BEGIN_STOP -> "STOP(" + d.term() + ")"
          + (d.withStopMessage() ? " hard at " + d.hardStopAt() / MS : " at once");
      default -> d.action() + "(" + d.term() + ")";
    };
    return what + (d.recheckAt().isPresent() ? ", recheck " + d.recheckAt().getAsLong() / MS : "");
  }
}
