package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import dev.regent.singleton.internal.SingletonEnvelope;
import dev.regent.singleton.internal.SingletonEnvelopeSerializer;
import java.io.NotSerializableException;
import java.util.Arrays;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * User messages travel to a manager in a {@link SingletonEnvelope}; its serializer keeps the
 * payload's own serializer (here Jackson CBOR, Java serialization off).
 */
class SingletonEnvelopeSerializerTest {

  private ActorTestKit kit;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("envelope", ConfigFactory.parseString(
        "pekko.actor.allow-java-serialization = off"));
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void roundTripKeepsThePayloadAndItsSerializer() throws Exception {
    var serialization = SerializationExtension.get(kit.system());
    var envelope = new SingletonEnvelope(new TestSingleton.Note("hello"));
    var serializer = serialization.findSerializerFor(envelope);
    assertInstanceOf(SingletonEnvelopeSerializer.class, serializer);
    byte[] bytes = serializer.toBinary(envelope);
    Object back = serialization.deserialize(bytes, serializer.identifier(),
        Serializers.manifestFor(serializer, envelope)).get();
    assertEquals(envelope, back);
  }

  @Test
  void refusesTruncatedBytes() {
    var serialization = SerializationExtension.get(kit.system());
    var envelope = new SingletonEnvelope(new TestSingleton.Note("hello"));
    var serializer = (SingletonEnvelopeSerializer) serialization.findSerializerFor(envelope);
    byte[] bytes = serializer.toBinary(envelope);
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 1);
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(truncated, "E"));
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(bytes, "X"));
  }
}
