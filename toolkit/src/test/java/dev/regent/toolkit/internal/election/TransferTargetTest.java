package dev.regent.toolkit.internal.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link TransferTarget} against the table in src/test/resources/quorum/transfer_target.txt. */
class TransferTargetTest {

  static List<QuorumTable.Row> rows() {
    return QuorumTable.rows("transfer_target.txt");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void table(QuorumTable.Row row) {
    var v = ConfigStepTest.View.of(row);
    var target = TransferTarget.choose(v.self(), v.config(), v.eligible(), v.latestIds(),
        v.ackedSentAt(), v.ackedConfig());
    assertEquals(row.expected(), target.map(QuorumTable::format).orElse("none"), row::toString);
  }

  @Test
  void tableIsNotEmpty() {
    assertFalse(rows().isEmpty());
  }
}
