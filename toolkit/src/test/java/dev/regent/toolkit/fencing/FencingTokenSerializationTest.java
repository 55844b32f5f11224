package dev.regent.toolkit.fencing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tokens travel with Java serialization off, through the reference.conf Jackson CBOR binding. */
class FencingTokenSerializationTest {

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("fencing", ConfigFactory.parseString(
        "pekko.actor.allow-java-serialization = off"));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void roundTripsThroughJacksonCbor() {
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    for (long v : new long[] {0, 1, 42, Long.MAX_VALUE, -1}) {
      var token = FencingToken.of(0x8000_0000_0000_0001L ^ v, v);
      var serializer = serialization.findSerializerFor(token);
      assertInstanceOf(JacksonCborSerializer.class, serializer);
      byte[] bytes = serializer.toBinary(token);
      Object back = serialization.deserialize(bytes, serializer.identifier(),
          Serializers.manifestFor(serializer, token)).get();
      assertEquals(token, back);
    }
  }

  /** A token from a node that predates lineages has no lineage field: it is of the legacy one. */
  @Test
  void aTokenWithoutLineageIsOfTheLegacyLineage() throws Exception {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    assertEquals(FencingToken.of(dev.regent.toolkit.leadership.Lineage.LEGACY, 7),
        mapper.readValue("{\"value\": 7}", FencingToken.class));
    var token = FencingToken.of(0x1234_5678_9abc_def0L, 9);
    assertEquals(token, mapper.readValue(mapper.writeValueAsString(token), FencingToken.class));
  }
}
