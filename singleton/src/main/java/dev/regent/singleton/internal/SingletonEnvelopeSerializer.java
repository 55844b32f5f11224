package dev.regent.singleton.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.Serializers;

/**
 * Internal API: the serializer of {@link SingletonEnvelope} (bound in reference.conf as
 * {@code regent-singleton-envelope}). The payload keeps its own serializer, as Pekko's sharding
 * envelope does: the bytes are {@code int serializerId, UTF manifest, int length, payload bytes}.
 * A payload class without a serializer binding fails here exactly as it failed before when the
 * raw message was sent (Pekko logs and drops it).
 */
public final class SingletonEnvelopeSerializer extends SerializerWithStringManifest {

  private static final String MANIFEST = "E";
  /** The longest payload read back: Artery's default maximum frame is far smaller. */
  private static final int MAX_PAYLOAD = 64 * 1024 * 1024;

  private final ExtendedActorSystem system;
  private final int identifier;
  private volatile Serialization serialization;

  public SingletonEnvelopeSerializer(ExtendedActorSystem system) {
    this.system = system;
    this.identifier = system.settings().config()
        .getInt("pekko.actor.serialization-identifiers.regent-singleton-envelope");
  }

  private Serialization serialization() {
    // Not in the constructor: the extension creates the serializers.
    Serialization s = serialization;
    if (s == null) {
      s = SerializationExtension.get(system);
      serialization = s;
    }
    return s;
  }

  @Override
  public int identifier() {
    return identifier;
  }

  @Override
  public String manifest(Object o) {
    return MANIFEST;
  }

  @Override
  public byte[] toBinary(Object o) {
    if (!(o instanceof SingletonEnvelope envelope)) {
      throw new IllegalArgumentException("not a SingletonEnvelope: " + o.getClass().getName());
    }
    Object payload = envelope.message();
    Serializer serializer = serialization().findSerializerFor(payload);
    String manifest = Serializers.manifestFor(serializer, payload);
    byte[] bytes = serializer.toBinary(payload);
    var out = new ByteArrayOutputStream(bytes.length + manifest.length() + 16);
    try (var data = new DataOutputStream(out)) {
      data.writeInt(serializer.identifier());
      data.writeUTF(manifest);
      data.writeInt(bytes.length);
      data.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    if (!MANIFEST.equals(manifest)) {
      throw new NotSerializableException("unknown manifest [" + manifest + "] for "
          + SingletonEnvelope.class.getName());
    }
    try (var data = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int serializerId = data.readInt();
      String payloadManifest = data.readUTF();
      int length = data.readInt();
      if (length < 0 || length > MAX_PAYLOAD || length != data.available()) {
        throw new NotSerializableException("SingletonEnvelope payload length " + length
            + " does not match the " + data.available() + " bytes left");
      }
      byte[] payload = data.readNBytes(length);
      Object message = serialization().deserialize(payload, serializerId, payloadManifest).get();
      return new SingletonEnvelope(message);
    } catch (NotSerializableException e) {
      throw e;
    } catch (IOException e) {
      var failure = new NotSerializableException("malformed SingletonEnvelope: " + e);
      failure.initCause(e);
      throw failure;
    }
  }
}
