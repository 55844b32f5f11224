package dev.regent.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.leadership.Lineage;
import org.junit.jupiter.api.Test;

/**
 * The demo's ticket table on H2 (in memory): accepted tickets are stored, a deposed token and a
 * token of another lineage are refused and recorded, and the status view's summary shows both.
 */
class JdbcTicketStoreTest {

  private static final String URL = "jdbc:h2:mem:tickets_test;DB_CLOSE_DELAY=-1";

  @Test
  void refusedWritesAreRecordedAndShown() throws Exception {
    long lineage = 0x1111_2222_3333_4444L;
    long other = 0x5555_6666_7777_8888L;
    try (var store = new JdbcTicketStore(URL, "", "", "node-a")) {
      assertTrue(store.write(FencingToken.of(lineage, 3), 1).accepted());
      assertTrue(store.write(FencingToken.of(lineage, 4), 2).accepted());
      var stale = store.write(FencingToken.of(lineage, 3), 3);
      assertFalse(stale.accepted());
      assertEquals(FencingToken.of(lineage, 4), stale.highest());
      var foreign = store.write(FencingToken.of(other, 99), 3);
      assertFalse(foreign.accepted());
      assertEquals(2, store.refused());
      assertEquals(2, store.last().orElseThrow().value());
    }
    var summary = JdbcTicketStore.summary(URL, "", "");
    assertEquals(2, summary.tickets());
    assertEquals(2, summary.refusedRows());
    assertEquals(FencingToken.of(lineage, 4), summary.fence().orElseThrow());
    String text = String.join("\n", summary.lines());
    assertTrue(text.contains("2 write(s) refused"), text);
    assertTrue(text.contains("the database had token 4"), text);
    assertTrue(text.contains("the database is pinned to " + Lineage.format(lineage)), text);
    JdbcTicketStore.reset(URL, "", "");
    assertEquals(0, JdbcTicketStore.summary(URL, "", "").tickets());
  }
}
