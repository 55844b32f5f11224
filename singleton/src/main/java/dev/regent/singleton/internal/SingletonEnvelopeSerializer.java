package dev.regent.singleton.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.Serializers;

/**
 * Internal API: the serializer of {@link SingletonEnvelope}, {@link Delivered} and
 * {@link Located} (bound in reference.conf as {@code regent-singleton-envelope}, id 6174). The
 * payload keeps its own serializer, as Pekko's sharding envelope does.
 *
 * <p>Formats, told apart by the manifest:
 * <ul>
 *   <li>{@code "E"} (version 1, every Regent version): {@code int serializerId, UTF manifest,
 *       int length, payload bytes}. Still written for an envelope without delivery fields (an
 *       at-most-once proxy that knows where the singleton runs), so old and new peers interwork
 *       in that mode;</li>
 *   <li>{@code "E2"} (version 2): {@code byte flags (1 replyTo, 2 locate, 4 proxyId = replyTo),
 *       [UTF replyTo], [UTF proxyId], long seq}, then the version-1 body. A peer that predates it has no
 *       {@code "E2"} manifest and refuses the frame cleanly (Pekko logs it and drops it): a
 *       cluster must not mix old peers with at-least-once or direct-routing proxies;</li>
 *   <li>{@code "C"}: {@link Delivered}, {@code int n, n x long seq};</li>
 *   <li>{@code "L"}: {@link Located}, {@code UTF singleton, long term, UTF instance}.</li>
 * </ul>
 * Anything else, and malformed bytes, are refused with a {@link NotSerializableException} naming
 * the problem (Pekko logs it and drops the frame; nothing is delivered).
 */
public final class SingletonEnvelopeSerializer extends SerializerWithStringManifest {

  private static final String ENVELOPE_V1 = "E";
  private static final String ENVELOPE_V2 = "E2";
  private static final String DELIVERED = "C";
  private static final String LOCATED = "L";
  private static final int FLAG_REPLY_TO = 1;
  private static final int FLAG_LOCATE = 2;
  /** The proxy id is the reply-to ref's serialized form (what proxies use): not written twice. */
  private static final int FLAG_ID_IS_REPLY_TO = 4;
  /** Resolved refs kept for the next frame of the same proxy or instance (cleared when full). */
  private static final int REF_CACHE_SIZE = 4096;
  /** The longest payload read back: Artery's default maximum frame is far smaller. */
  private static final int MAX_PAYLOAD = 64 * 1024 * 1024;

  private final ExtendedActorSystem system;
  private final int identifier;
  private volatile Serialization serialization;
  private volatile ActorRefResolver resolver;
  private final java.util.concurrent.ConcurrentHashMap<String, ActorRef<?>> refCache =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** The serialized forms of the refs written (a proxy writes its own ref on every message). */
  private final java.util.concurrent.ConcurrentHashMap<ActorRef<?>, String> formatCache =
      new java.util.concurrent.ConcurrentHashMap<>();

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

  private ActorRefResolver resolver() {
    ActorRefResolver r = resolver;
    if (r == null) {
      r = ActorRefResolver.get(Adapter.toTyped(system));
      resolver = r;
    }
    return r;
  }

  @Override
  public int identifier() {
    return identifier;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof SingletonEnvelope e) {
      return e.hasDeliveryFields() ? ENVELOPE_V2 : ENVELOPE_V1;
    } else if (o instanceof Delivered) {
      return DELIVERED;
    } else if (o instanceof Located) {
      return LOCATED;
    }
    throw new IllegalArgumentException("cannot serialize " + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    // The payload first, so that the buffer is allocated once at its final size.
    Object payload = o instanceof SingletonEnvelope e ? e.message() : null;
    Serializer payloadSerializer = payload != null
        ? serialization().findSerializerFor(payload) : null;
    byte[] payloadBytes = payload != null ? payloadSerializer.toBinary(payload) : null;
    var out = new ByteArrayOutputStream(payloadBytes != null ? payloadBytes.length + 512 : 64);
    try (var data = new DataOutputStream(out)) {
      if (o instanceof SingletonEnvelope envelope) {
        if (envelope.hasDeliveryFields()) {
          String replyTo = envelope.replyTo() != null ? format(envelope.replyTo()) : null;
          boolean idIsReplyTo = replyTo != null && replyTo.equals(envelope.proxyId());
          int flags = (replyTo != null ? FLAG_REPLY_TO : 0)
              | (envelope.locate() ? FLAG_LOCATE : 0)
              | (idIsReplyTo ? FLAG_ID_IS_REPLY_TO : 0);
          data.writeByte(flags);
          if (replyTo != null) {
            data.writeUTF(replyTo);
          }
          if (!idIsReplyTo) {
            data.writeUTF(envelope.proxyId());
          }
          data.writeLong(envelope.seq());
        }
        data.writeInt(payloadSerializer.identifier());
        data.writeUTF(Serializers.manifestFor(payloadSerializer, payload));
        data.writeInt(payloadBytes.length);
        data.write(payloadBytes);
      } else if (o instanceof Delivered d) {
        long[] seqs = d.seqs();
        data.writeInt(seqs.length);
        for (long seq : seqs) {
          data.writeLong(seq);
        }
      } else if (o instanceof Located l) {
        data.writeUTF(l.singleton());
        data.writeLong(l.term());
        data.writeUTF(format(l.instance()));
      } else {
        throw new IllegalArgumentException("cannot serialize " + o.getClass().getName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try (var data = new DataInputStream(new ByteArrayInputStream(bytes))) {
      switch (manifest) {
        case ENVELOPE_V1:
          return new SingletonEnvelope(readPayload(data));
        case ENVELOPE_V2: {
          int flags = data.readUnsignedByte();
          if ((flags & ~(FLAG_REPLY_TO | FLAG_LOCATE | FLAG_ID_IS_REPLY_TO)) != 0
              || ((flags & FLAG_ID_IS_REPLY_TO) != 0 && (flags & FLAG_REPLY_TO) == 0)) {
            throw new NotSerializableException("SingletonEnvelope version 2 with unknown flags "
                + flags);
          }
          String replyToText = (flags & FLAG_REPLY_TO) != 0 ? data.readUTF() : null;
          ActorRef<SingletonProxy.Command> replyTo =
              replyToText != null ? resolve(replyToText) : null;
          String proxyId = (flags & FLAG_ID_IS_REPLY_TO) != 0 ? replyToText : data.readUTF();
          long seq = data.readLong();
          Object message = readPayload(data);
          return new SingletonEnvelope(message, replyTo, proxyId, seq,
              (flags & FLAG_LOCATE) != 0);
        }
        case DELIVERED: {
          int n = data.readInt();
          if (n < 1 || n > Delivered.MAX_BATCH || (long) n * 8 != data.available()) {
            throw new NotSerializableException("Delivered of " + n + " sequence numbers in "
                + data.available() + " bytes");
          }
          long[] seqs = new long[n];
          for (int i = 0; i < n; i++) {
            seqs[i] = data.readLong();
          }
          return new Delivered(seqs);
        }
        case LOCATED: {
          String singleton = data.readUTF();
          long term = data.readLong();
          ActorRef<Object> instance = resolve(data.readUTF());
          expectEnd(data, "Located");
          return new Located(singleton, term, instance);
        }
        default:
          throw new NotSerializableException("unknown manifest [" + manifest + "] for "
              + SingletonEnvelope.class.getName() + " (serializer " + identifier
              + "): a newer peer's format?");
      }
    } catch (NotSerializableException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      var failure = new NotSerializableException("malformed singleton frame [" + manifest + "]: "
          + e);
      failure.initCause(e);
      throw failure;
    }
  }

  private String format(ActorRef<?> ref) {
    String text = formatCache.get(ref);
    if (text == null) {
      text = resolver().toSerializationFormat(ref);
      if (formatCache.size() >= REF_CACHE_SIZE) {
        formatCache.clear();
      }
      formatCache.put(ref, text);
    }
    return text;
  }

  @SuppressWarnings("unchecked")
  private <T> ActorRef<T> resolve(String text) {
    ActorRef<?> ref = refCache.get(text);
    if (ref == null) {
      ref = resolver().resolveActorRef(text);
      if (refCache.size() >= REF_CACHE_SIZE) {
        refCache.clear();
      }
      refCache.put(text, ref);
    }
    return (ActorRef<T>) ref;
  }

  private static void expectEnd(DataInputStream data, String what) throws IOException {
    if (data.available() != 0) {
      throw new NotSerializableException(what + " has " + data.available() + " trailing bytes");
    }
  }

  private Object readPayload(DataInputStream data) throws IOException {
    int serializerId = data.readInt();
    String payloadManifest = data.readUTF();
    int length = data.readInt();
    if (length < 0 || length > MAX_PAYLOAD || length != data.available()) {
      throw new NotSerializableException("SingletonEnvelope payload length " + length
          + " does not match the " + data.available() + " bytes left");
    }
    byte[] payload = data.readNBytes(length);
    return serialization().deserialize(payload, serializerId, payloadManifest).get();
  }
}
