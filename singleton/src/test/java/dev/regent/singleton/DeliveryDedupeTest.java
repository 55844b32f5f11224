package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.fencing.FencedStore;
import dev.regent.toolkit.fencing.FencingToken;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeliveryDedupeTest {

  private static DeliveryId id(String proxy, long seq) {
    return new DeliveryId(proxy, seq);
  }

  @Test
  void recognisesDuplicatesPerProxyAndCountsThem() {
    var d = new DeliveryDedupe();
    assertTrue(d.markProcessed(id("a", 1)));
    assertTrue(d.markProcessed(id("a", 3)));
    assertTrue(d.markProcessed(id("b", 1)));
    assertFalse(d.markProcessed(id("a", 1)));
    assertFalse(d.markProcessed(id("a", 3)));
    assertTrue(d.markProcessed(id("a", 2)));
    assertEquals(2, d.duplicates());
    // 1..3 processed: compacted into the floor.
    assertEquals(new DeliveryDedupe.Window(3, new long[0]), d.snapshot().get("a"));
  }

  @Test
  void snapshotRestoresInTheNextIncarnation() {
    var d = new DeliveryDedupe();
    d.markProcessed(id("a", 1));
    d.markProcessed(id("a", 5));
    var next = DeliveryDedupe.restore(d.snapshot(), 100);
    assertFalse(next.markProcessed(id("a", 5)));
    assertFalse(next.markProcessed(id("a", 1)));
    assertTrue(next.markProcessed(id("a", 2)));
    assertEquals(2, next.duplicates());
  }

  @Test
  void boundedOutOfOrderWindowMovesTheFloor() {
    var d = new DeliveryDedupe(2);
    d.markProcessed(id("a", 2));
    d.markProcessed(id("a", 4));
    d.markProcessed(id("a", 6)); // three above the floor: the floor moves to 2, then 2 is gone
    assertEquals(2, d.snapshot().get("a").floor());
    assertTrue(d.processed(id("a", 1)), "below the floor counts as processed");
  }

  @Test
  void aDeposedIncarnationCannotRecordAConfirmation() {
    var store = new FencedStore();
    var old = FencingToken.of(Lineage.NONE, 1);
    var current = FencingToken.of(Lineage.NONE, 2);
    var oldDedupe = new DeliveryDedupe();
    var newDedupe = new DeliveryDedupe();
    // The new incarnation processes message 1; the deposed one tries to process message 2.
    assertEquals(DeliveryDedupe.Outcome.APPLIED,
        newDedupe.applyOnce(store, current, id("a", 1), Map.of("count", 1L)));
    assertEquals(DeliveryDedupe.Outcome.FENCED,
        oldDedupe.applyOnce(store, old, id("a", 2), Map.of("count", 99L)));
    assertFalse(store.get(DeliveryDedupe.markerKey(id("a", 2))).isPresent(),
        "no marker: message 2 is still to be processed");
    assertEquals(1L, store.get("count").orElseThrow());
    // Message 1 resent after a failover: the store knows it, nothing written twice.
    var third = new DeliveryDedupe();
    assertEquals(DeliveryDedupe.Outcome.DUPLICATE,
        third.applyOnce(store, FencingToken.of(Lineage.NONE, 3), id("a", 1),
            Map.of("count", 2L)));
    assertEquals(1L, store.get("count").orElseThrow());
    assertEquals(1, third.duplicates());
  }

  /** A context as a singleton sees it while processing message {@code id}. */
  private static final class Ctx implements SingletonContext {
    final FencingToken token;
    final DeliveryId id;
    boolean withheld;

    Ctx(long term, DeliveryId id) {
      this.token = FencingToken.of(Lineage.NONE, term);
      this.id = id;
    }

    @Override
    public FencingToken fencingToken() {
      return token;
    }

    @Override
    public boolean leaseValid() {
      return true;
    }

    @Override
    public java.util.Optional<DeliveryId> currentDelivery() {
      return java.util.Optional.of(id);
    }

    @Override
    public void withholdConfirmation() {
      withheld = true;
    }

    @Override
    public dev.regent.toolkit.leadership.NodeId node() {
      return new dev.regent.toolkit.leadership.NodeId("n", 1);
    }

    @Override
    public String name() {
      return "s";
    }
  }

  @Test
  void aFencedWriteWithholdsTheConfirmation() {
    var store = new FencedStore();
    var current = new Ctx(2, id("a", 1));
    assertEquals(DeliveryDedupe.Outcome.APPLIED,
        new DeliveryDedupe().applyOnce(current, store, Map.of("count", 1L)));
    assertFalse(current.withheld);
    var deposed = new Ctx(1, id("a", 2));
    assertEquals(DeliveryDedupe.Outcome.FENCED,
        new DeliveryDedupe().applyOnce(deposed, store, Map.of("count", 5L)));
    assertTrue(deposed.withheld, "the deposed incarnation must not confirm message 2");
  }
}
