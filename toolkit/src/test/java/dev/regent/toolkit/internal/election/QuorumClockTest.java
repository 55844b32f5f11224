package dev.regent.toolkit.internal.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.regent.toolkit.leadership.NodeId;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link QuorumClock} against the table in src/test/resources/quorum/quorum_clock.txt. */
class QuorumClockTest {

  static List<QuorumTable.Row> rows() {
    return QuorumTable.rows("quorum_clock.txt");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void table(QuorumTable.Row row) {
    var config = VoterConfig.of(new ConfigId(1, 1), QuorumTable.ids(row.get("voters")));
    var acked = new TreeMap<NodeId, Long>();
    for (String item : QuorumTable.items(row.get("acked"))) {
      String[] kv = item.split("=");
      acked.put(QuorumTable.id(kv[0]), Long.parseLong(kv[1]));
    }
    var at = QuorumClock.newestAcknowledged(config, acked);
    assertEquals(row.expected(), at.isPresent() ? Long.toString(at.getAsLong()) : "none",
        row::toString);
  }

  @Test
  void tableIsNotEmpty() {
    assertFalse(rows().isEmpty());
  }
}
