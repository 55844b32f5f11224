package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.DeliveryChecker;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delivery checker on hand-made evidence: each property caught when broken. */
class DeliveryCheckerTest {

  @Test
  void aCleanAtLeastOnceRunWithDuplicatesPasses() {
    var r = DeliveryChecker.atLeastOnce().check(4, List.of(1L, 2L, 4L), List.of(1L, 2L, 3L, 3L, 4L));
    assertTrue(r.ok(), r.violations().toString());
    assertEquals(1, r.duplicates());
    assertEquals(0, r.lost());
  }

  @Test
  void catchesAConfirmationForAMessageNobodyProcessed() {
    // A broken variant that confirms before processing, then loses the message.
    var r = DeliveryChecker.atMostOnce().check(3, List.of(1L, 2L), List.of(1L, 3L));
    assertFalse(r.ok());
    assertTrue(r.violations().get(0).startsWith("D1:") && r.violations().get(0).contains("[2]"),
        r.violations().toString());
  }

  @Test
  void catchesALostMessageInAtLeastOnceModeOnly() {
    // A broken variant that drops resends: message 2 never processed.
    var alo = DeliveryChecker.atLeastOnce().check(3, List.of(), List.of(1L, 3L));
    assertEquals(List.of("D2: 1 of 3 message(s) sent at least once but never processed: [2]"),
        alo.violations());
    assertThrows(AssertionError.class, alo::assertOk);
    var amo = DeliveryChecker.atMostOnce().check(3, List.of(), List.of(1L, 3L));
    assertTrue(amo.ok());
    assertEquals(1, amo.lost());
  }

  @Test
  void catchesAMessageProcessedButNeverSent() {
    var r = DeliveryChecker.atMostOnce().check(2, List.of(), List.of(1L, 2L, 7L));
    assertTrue(r.violations().get(0).startsWith("D3:"), r.violations().toString());
  }
}
