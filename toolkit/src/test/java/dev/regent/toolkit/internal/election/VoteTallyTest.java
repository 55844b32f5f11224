package dev.regent.toolkit.internal.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link VoteTally} against the table in src/test/resources/quorum/vote_tally.txt. */
class VoteTallyTest {

  static List<QuorumTable.Row> rows() {
    return QuorumTable.rows("vote_tally.txt");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void table(QuorumTable.Row row) {
    var config = VoterConfig.of(new ConfigId(1, 1), QuorumTable.ids(row.get("voters")));
    var tally = VoteTally.open(config);
    for (String answer : QuorumTable.items(row.get("answers"))) {
      var voter = QuorumTable.id(answer.substring(0, answer.length() - 1));
      tally = switch (answer.charAt(answer.length() - 1)) {
        case '+' -> tally.grant(voter);
        case '-' -> tally.refuse(voter);
        default -> throw new IllegalArgumentException(row + ": answer " + answer);
      };
    }
    String actual = tally.result() + " granted=" + QuorumTable.format(tally.grants())
        + " refused=" + QuorumTable.format(tally.refusals());
    assertEquals(row.expected(), actual, row::toString);
    // The same answers given as sets (grants first) count the same.
    var rebuilt = VoteTally.of(config, tally.grants(), tally.refusals());
    assertEquals(tally, rebuilt, row::toString);
  }

  @Test
  void tableIsNotEmpty() {
    assertFalse(rows().isEmpty());
  }
}
