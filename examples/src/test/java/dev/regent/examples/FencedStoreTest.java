package dev.regent.examples;

import dev.regent.toolkit.fencing.FencedStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.fencing.FencingToken;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

class FencedStoreTest {

  private static final long LINEAGE = 0x1234_5678_9abc_def0L;

  @Test
  void deposedWriterIsRefusedAfterNewIncarnationWrote() {
    var store = new FencedStore();
    var old = FencingToken.of(LINEAGE, 4);
    var next = FencingToken.of(LINEAGE, 6);
    assertEquals(Optional.of(1L), store.increment(old, "n", 1));
    assertEquals(Optional.of(2L), store.increment(old, "n", 1));
    assertEquals(Optional.of(3L), store.increment(next, "n", 1));
    // The old incarnation wakes from a pause still holding token 4.
    assertEquals(Optional.empty(), store.increment(old, "n", 100));
    assertFalse(store.put(old, "n", 0));
    assertEquals(Optional.of(3L), store.get("n"));
    assertEquals(2, store.rejected().size());
    assertEquals(Optional.of(next), store.highestToken());
    assertTrue(store.put(next, "n", 10), "same token, same incarnation");
  }

  @Test
  void actorAnswersOverSerializedMessages() {
    // serialize-messages = on makes every message go through the serializer, as over the network.
    var kit = ActorTestKit.create("store", ConfigFactory.parseString("""
        pekko.actor.allow-java-serialization = off
        pekko.actor.serialize-messages = on
        pekko.actor.no-serialization-verification-needed-class-prefix = ["org.apache.pekko."]
        """));
    try {
      var store = new FencedStore();
      var ref = kit.spawn(FencedStoreActor.create(store));
      var probe = kit.<FencedStoreActor.Result>createTestProbe();
      ref.tell(new FencedStoreActor.Increment(FencingToken.of(LINEAGE, 2), "k", 5, probe.ref()));
      assertEquals(new FencedStoreActor.Result(true, Optional.of(5L)), probe.receiveMessage());
      ref.tell(new FencedStoreActor.Put(FencingToken.of(LINEAGE, 3), "k", 9, probe.ref()));
      assertEquals(new FencedStoreActor.Result(true, Optional.of(9L)), probe.receiveMessage());
      ref.tell(new FencedStoreActor.Increment(FencingToken.of(LINEAGE, 2), "k", 5, probe.ref()));
      assertEquals(new FencedStoreActor.Result(false, Optional.of(9L)), probe.receiveMessage());
      ref.tell(new FencedStoreActor.Get("k", probe.ref()));
      assertEquals(new FencedStoreActor.Result(true, Optional.of(9L)), probe.receiveMessage());
    } finally {
      kit.shutdownTestKit();
    }
  }
}
