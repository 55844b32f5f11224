package dev.regent.toolkit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.testkit.SafetyChecker.Incarnation;
import dev.regent.toolkit.testkit.SafetyChecker.Options;
import dev.regent.toolkit.testkit.SafetyChecker.TokenKind;
import dev.regent.toolkit.testkit.SafetyChecker.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared safety checker on hand-made fact sequences, one table row per case: for each rule a
 * history that breaks it and one that barely does not (the nearest legal neighbour: the same
 * history one step, one tick or one token away). The expected column lists the properties of the
 * violations, in the order reported; a fragment of the first message is checked where one is
 * given.
 */
class SafetyCheckerTest {

  private static final long L = 0x5eed_0000_0000_0001L;
  private static final long OTHER = 0x0bad_0000_0000_0002L;

  private static Incarnation inc(String node, long lineage, long token, long started) {
    return new Incarnation(node, 1, lineage, token, started);
  }

  private static final Incarnation A1 = inc("a", L, 1, 10);
  private static final Incarnation B2 = inc("b", L, 2, 20);
  private static final Incarnation A1_RESTARTED = inc("a", L, 1, 15);
  private static final Incarnation X9 = inc("x", OTHER, 9, 12);

  private record Case(Options options, Consumer<SafetyChecker> history) {}

  private static Arguments row(String name, List<String> expected, String fragment,
      Consumer<SafetyChecker> history) {
    return row(name, Options.defaults(), expected, fragment, history);
  }

  private static Arguments row(String name, Options options, List<String> expected,
      String fragment, Consumer<SafetyChecker> history) {
    return Arguments.of(name, new Case(options, history), expected, fragment);
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // ---- S1: one leader per (lineage, term) ----
        row("S1 two leaders of one term", List.of("S1"),
            "term 3 of lineage " + Lineage.format(L) + " has 2 leaders: a (reported by n0), b"
                + " (reported by n1)",
            c -> {
              c.elected("a", "n0", 1, L, 3, 10);
              c.elected("b", "n1", 1, L, 3, 11);
            }),
        row("S1 barely not: the same leader reported twice, the other in the next term",
            List.of(), null, c -> {
              c.elected("a", "n0", 1, L, 3, 10);
              c.elected("a", "n1", 1, L, 3, 11);
              c.elected("b", "n1", 1, L, 4, 12);
            }),
        row("S1 barely not: one term number in two lineages", List.of(), null, c -> {
          c.elected("a", "a", 1, L, 3, 10);
          c.elected("x", "x", 1, OTHER, 3, 11);
        }),

        // ---- S2: tokens strictly rise within a lineage ----
        row("S2 a lease with an equal token", List.of("S2"),
            "b takes a lease with token 2 of lineage " + Lineage.format(L) + " after a took a"
                + " lease with token 2", c -> {
              c.tokenTaken(TokenKind.LEASE, "a", 1, L, 2, 10);
              c.tokenTaken(TokenKind.LEASE, "b", 1, L, 2, 20);
            }),
        row("S2 barely not: the next token", List.of(), null, c -> {
          c.tokenTaken(TokenKind.LEASE, "a", 1, L, 2, 10);
          c.tokenTaken(TokenKind.LEASE, "b", 1, L, 3, 20);
        }),
        row("S2 barely not: a smaller token of another lineage", List.of(), null, c -> {
          c.tokenTaken(TokenKind.LEASE, "a", 1, L, 5, 10);
          c.tokenTaken(TokenKind.LEASE, "x", 1, OTHER, 1, 20);
        }),
        row("S2 a singleton start below an earlier one", List.of("S2"),
            "b started a singleton with token 4 of lineage " + Lineage.format(L)
                + " after a had started one with token 5", c -> {
              c.tokenTaken(TokenKind.SINGLETON, "a", 1, L, 5, 10);
              c.tokenTaken(TokenKind.SINGLETON, "b", 1, L, 4, 20);
            }),
        row("S2 a same-term restart is a violation by default", List.of("S2"), null, c -> {
          c.tokenTaken(TokenKind.SINGLETON, "a", 1, L, 5, 10);
          c.tokenTaken(TokenKind.SINGLETON, "a", 1, L, 5, 20);
        }),
        row("S2 barely not: a same-term restart of one process, allowed",
            Options.defaults().withAllowSameTermRestart(true), List.of(), null, c -> {
              c.tokenTaken(TokenKind.SINGLETON, "a", 1, L, 5, 10);
              c.tokenTaken(TokenKind.SINGLETON, "a", 1, L, 5, 20);
            }),
        row("S2 allowed restarts are one process's only",
            Options.defaults().withAllowSameTermRestart(true), List.of("S2"), null, c -> {
              c.tokenTaken(TokenKind.SINGLETON, "a", 1, L, 5, 10);
              c.tokenTaken(TokenKind.SINGLETON, "a", 2, L, 5, 20);
            }),

        // ---- S3: active stretches never overlap ----
        row("S3 overlap of one tick", List.of("S3"),
            "incarnations token 1 on a and token 2 on b were both active from 20 to 21", c -> {
              c.stretch(A1, 10, 21);
              c.stretch(B2, 20, 30);
            }),
        row("S3 barely not: the next begins as the previous ends", List.of(), null, c -> {
          c.stretch(A1, 10, 20);
          c.stretch(B2, 20, 30);
        }),
        row("S3 barely not: an empty stretch", List.of(), null, c -> {
          c.stretch(A1, 10, 30);
          c.stretch(B2, 20, 20);
        }),
        row("S3 an open stretch beside a new one", List.of("S3"),
            "incarnations token 1 on a and token 2 on b were both active from 20 on (token 1 on a active"
                + " since 10)", c -> {
              var s = c.stretchBegins(A1, 10);
              s.bound(25);
              c.stretchBegins(B2, 20);
            }),
        row("S3 barely not: the open stretch's bound passed (its lease deadline)", List.of(),
            null, c -> {
              var s = c.stretchBegins(A1, 10);
              s.bound(20);
              c.stretchBegins(B2, 20);
            }),
        row("S3 one pair is reported once, however many stretches overlap", List.of("S3"), null,
            c -> {
              c.stretch(A1, 10, 40);
              c.stretch(B2, 20, 25);
              c.stretch(B2, 30, 35);
            }),
        row("S3 the incarnation that started first is named first", List.of("S3"),
            "incarnations token 1 on a and token 2 on b were both active from 32 to 35", c -> {
              // a's stretch after a pause begins beside b's.
              c.stretch(A1, 10, 19);
              c.stretch(B2, 20, 40);
              c.stretch(A1, 32, 35);
            }),
        row("S3 one pair is reported once, whichever of the two resumes", List.of("S3"), null,
            c -> {
              c.stretch(A1, 10, 22);
              c.stretch(B2, 20, 40);
              c.stretch(A1, 30, 35);
            }),
        row("S3 two stretches of one incarnation are no overlap", List.of(), null, c -> {
          var s = c.stretchBegins(A1, 10);
          s.close(20);
          c.stretchBegins(A1, 20);
        }),
        row("S3 two lineages at once, when judged across lineages", List.of("S3"),
            "(lineages " + Lineage.format(L) + " and " + Lineage.format(OTHER) + ")", c -> {
              c.stretch(A1, 10, 30);
              c.stretch(X9, 12, 40);
            }),
        row("S3 barely not: two lineages at once, judged per lineage",
            Options.defaults().withCrossLineageS3(false), List.of(), null, c -> {
              c.stretch(A1, 10, 30);
              c.stretch(X9, 12, 40);
            }),
        row("S3 barely not: a closed stretch stays closed (a later bound does not reopen it)",
            Options.defaults().withPruneAfter(5), List.of(), null, c -> {
              var s = c.stretchBegins(A1, 10);
              s.close(20);
              s.bound(100);
              c.stretchBegins(B2, 30);
            }),

        // ---- S3 (resume): only in the term of the suspension ----
        row("S3 resume after learning of a higher term", List.of("S3"),
            "a resumed its incarnation with token 3 of lineage " + Lineage.format(L)
                + " at 40, but it had learned of term 4 (leader b) at 30", c -> {
              c.elected("a", "a", 1, L, 3, 10);
              c.elected("b", "a", 1, L, 4, 30);
              c.resumed("a", 1, L, 3, 40);
            }),
        row("S3 barely not: the higher term is learned after the resume", List.of(), null, c -> {
          c.elected("a", "a", 1, L, 3, 10);
          c.resumed("a", 1, L, 3, 40);
          c.elected("b", "a", 1, L, 4, 41);
        }),
        row("S3 barely not: another process learned of the higher term", List.of(), null, c -> {
          c.elected("a", "a", 1, L, 3, 10);
          c.elected("b", "a", 2, L, 4, 30);
          c.elected("b", "b", 1, L, 4, 30);
          c.resumed("a", 1, L, 3, 40);
        }),
        row("S3 barely not: a higher term of another lineage", List.of(), null, c -> {
          c.elected("a", "a", 1, L, 3, 10);
          c.elected("x", "a", 1, OTHER, 9, 30);
          c.resumed("a", 1, L, 3, 40);
        }),

        // ---- S4: the fenced resource ----
        row("S4 an accepted write below the highest accepted token", List.of("S4"),
            "write k=1 with token 1 was accepted after token 2 of lineage " + Lineage.format(L),
            c -> {
              c.write(L, 2, true, B2, "k=2", 25);
              c.write(L, 1, true, A1, "k=1", 26);
            }),
        row("S4 barely not: the stale write refused, an equal token accepted", List.of(), null,
            c -> {
              c.write(L, 2, true, B2, "k=2", 25);
              c.write(L, 1, false, A1, "k=1", 26);
              c.write(L, 2, true, B2, "k=3", 27);
            }),
        row("S4 an accepted write of another lineage than the pinned one", List.of("S4"),
            "with token 9 of lineage " + Lineage.format(OTHER) + " was accepted, but the"
                + " resource was pinned to lineage " + Lineage.format(L), c -> {
              c.write(L, 1, true, A1, null, 15);
              c.write(OTHER, 9, true, X9, null, 16);
            }),
        row("S4 barely not: the first accepted write pins, a refused one does not", List.of(),
            null, c -> {
              c.write(OTHER, 9, false, X9, null, 14);
              c.write(L, 1, true, A1, null, 15);
              c.write(OTHER, 9, false, X9, null, 16);
            }),
        row("S4 an accepted write of an older incarnation after a newer one's", List.of("S4"),
            "accepted a write of the incarnation token 1 on a (started 10) after it accepted"
                + " one of the later incarnation token 1 on b (started 20)", c -> {
              // The two hold one token (an S1 break elsewhere): only the start order tells.
              c.write(L, 1, true, inc("b", L, 1, 20), null, 25);
              c.write(L, 1, true, A1, null, 26);
            }),
        row("S4 barely not: one node's restarted incarnation of one term shares the token",
            List.of(), null, c -> {
              c.write(L, 1, true, A1_RESTARTED, null, 25);
              c.write(L, 1, true, A1, null, 26);
            }),
        row("S4 a write no incarnation made (an invented token), even refused", List.of("S4"),
            "write k=1 with token 7 of lineage " + Lineage.format(L) + " does not come from a"
                + " singleton incarnation with that token",
            c -> c.write(L, 7, false, null, "k=1", 25)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void judges(String name, Case c, List<String> expected, String fragment) {
    var found = new ArrayList<Violation>();
    var checker = new SafetyChecker(c.options(), Long::toString, found::add);
    c.history().accept(checker);
    assertEquals(expected, found.stream().map(Violation::property).toList(), found::toString);
    if (fragment != null) {
      assertTrue(found.get(0).message().contains(fragment), () -> "expected \"" + fragment
          + "\" in " + found.get(0));
    }
  }
}
