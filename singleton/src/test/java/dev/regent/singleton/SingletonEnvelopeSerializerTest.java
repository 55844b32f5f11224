package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.regent.singleton.internal.Delivered;
import dev.regent.singleton.internal.Located;
import dev.regent.singleton.internal.SingletonEnvelope;
import dev.regent.singleton.internal.SingletonProxy;
import dev.regent.singleton.internal.SingletonEnvelopeSerializer;
import java.io.NotSerializableException;
import java.util.Arrays;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
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

  private Object roundTrip(Object o) throws Exception {
    var serialization = SerializationExtension.get(kit.system());
    var serializer = serialization.findSerializerFor(o);
    assertInstanceOf(SingletonEnvelopeSerializer.class, serializer);
    return serialization.deserialize(serializer.toBinary(o), serializer.identifier(),
        Serializers.manifestFor(serializer, o)).get();
  }

  @Test
  void versionTwoCarriesTheDeliveryFieldsAndConfirmationsAndLocationsRoundTrip() throws Exception {
    TestProbe<SingletonProxy.Command> proxy = kit.createTestProbe();
    TestProbe<Object> instance = kit.createTestProbe();
    var envelope = new SingletonEnvelope(new TestSingleton.Note("hi"), proxy.ref(), "p#1", 42,
        true);
    var serializer = (SingletonEnvelopeSerializer) SerializationExtension.get(kit.system())
        .findSerializerFor(envelope);
    assertEquals("E2", serializer.manifest(envelope));
    assertEquals("E", serializer.manifest(new SingletonEnvelope("x")), "bare: version 1");
    assertEquals(envelope, roundTrip(envelope));
    assertEquals(new Delivered(42), roundTrip(new Delivered(42)));
    assertEquals(new Delivered(new long[] {3, 1, 2}), roundTrip(new Delivered(new long[] {3, 1, 2})));
    // A proxy's id is its ref's serialized form: written once, read back as both.
    String id = org.apache.pekko.actor.typed.ActorRefResolver.get(kit.system())
        .toSerializationFormat(proxy.ref());
    var compact = new SingletonEnvelope("m", proxy.ref(), id, 1, false);
    assertEquals(compact, roundTrip(compact));
    assertTrue(serializer.toBinary(compact).length < serializer.toBinary(
        new SingletonEnvelope("m", proxy.ref(), id + "x", 1, false)).length - id.length());
    var located = new Located("s", 7, instance.ref());
    assertEquals(located, roundTrip(located));
  }

  @Test
  void decodesAnOldPeersVersionOneFrame() throws Exception {
    // Written by hand as Regent before version 2 wrote it: id, manifest, length, payload.
    var serialization = SerializationExtension.get(kit.system());
    var payload = new TestSingleton.Note("old");
    var payloadSerializer = serialization.findSerializerFor(payload);
    byte[] body = payloadSerializer.toBinary(payload);
    var out = new java.io.ByteArrayOutputStream();
    try (var data = new java.io.DataOutputStream(out)) {
      data.writeInt(payloadSerializer.identifier());
      data.writeUTF(Serializers.manifestFor(payloadSerializer, payload));
      data.writeInt(body.length);
      data.write(body);
    }
    var serializer = (SingletonEnvelopeSerializer) serialization.findSerializerFor(
        new SingletonEnvelope("x"));
    assertEquals(new SingletonEnvelope(payload), serializer.fromBinary(out.toByteArray(), "E"));
  }

  @Test
  void refusesUnknownVersionsAndMalformedVersionTwoFrames() {
    var serializer = (SingletonEnvelopeSerializer) SerializationExtension.get(kit.system())
        .findSerializerFor(new SingletonEnvelope("x"));
    byte[] bytes = serializer.toBinary(new SingletonEnvelope("x"));
    var e = assertThrows(NotSerializableException.class, () -> serializer.fromBinary(bytes, "E3"));
    assertTrue(e.getMessage().contains("unknown manifest [E3]"), e.getMessage());
    // Unknown flag bits, and a version-1 body read as version 2.
    byte[] badFlags = new byte[] {(byte) 0x80, 0, 0};
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(badFlags, "E2"));
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(bytes, "E2"));
    assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(new byte[] {1, 2, 3}, "C"));
  }
}
