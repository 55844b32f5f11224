package dev.regent.toolkit.internal.wire;

import java.util.Map;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;

/**
 * The serializer of the election wire messages ({@code PeerEnvelope}, {@code ElectionEnvelope},
 * {@code NodeHello}; bound in reference.conf as {@code regent-election-cbor}): Pekko's own Jackson
 * CBOR serializer, configured strictly, that turns a payload it cannot read into a
 * {@link MalformedMessage} instead of an exception.
 *
 * <p>Why a wrapper: the message records validate their fields when built (non-null, terms within
 * {@code ElectionMessage.MAX_TERM}, ...), so a malformed or hostile payload fails in Jackson, inside
 * Artery's inbound stream, before any actor sees it. Artery (Pekko 1.7, {@code Codecs.scala},
 * {@code Decoder.onPush}) catches that, logs it at ERROR with a stack trace, for every such message,
 * and drops it: the election actor is safe, but nothing counts the bad messages and a peer sending
 * junk floods the log. Returning a {@link MalformedMessage} lets the election actor (the recipient
 * named in the Artery envelope) drop it, count it ({@code ElectionRuntime.droppedCount}) and warn at
 * most once per interval. Deserialization never reaches the core, so no bad message can make the
 * election actor fail and restart.
 *
 * <p>Strictness (reference.conf, {@code pekko.serialization.jackson.regent-election-cbor}): unknown
 * fields, missing fields (also of primitive type, which Jackson would otherwise read as 0), strings
 * or floats where integers belong, and bytes after the message are all refused. A field this node
 * does not know may carry a safety rule it does not follow (as the lineage did when it was added),
 * so ignoring it is not safe; the wire format changes only with a mixed-version plan.
 *
 * <p>Wire names: the manifest of each message is a fixed name, not the class's current name. The
 * names are the classes' names from before the package layout of issue 16 ({@code
 * dev.regent.toolkit.election.wire.*}); they stay, so that nodes of a version before and after a
 * class moves still understand each other. A manifest outside {@link #WIRE_NAMES} goes to Jackson
 * unchanged, which refuses it ({@code allowed-class-prefix}): a {@link MalformedMessage}.
 *
 * <p>Bytes sent with another serializer's id (for example {@code jackson-cbor}'s) are still
 * refused, since only this serializer accepts these classes, but by Pekko itself: Artery logs and
 * drops them without the election actor seeing them.
 */
public final class RegentWireSerializer extends SerializerWithStringManifest {

  /** Longest reason kept in a {@link MalformedMessage} (Jackson's messages can be long). */
  static final int MAX_REASON_LENGTH = 300;

  /** Wire name (the manifest on the wire) by class; fixed, see the class comment. */
  static final Map<Class<?>, String> WIRE_NAMES = Map.of(
      PeerEnvelope.class, "dev.regent.toolkit.election.wire.PeerEnvelope",
      ElectionEnvelope.class, "dev.regent.toolkit.election.wire.ElectionEnvelope",
      NodeHello.class, "dev.regent.toolkit.election.wire.NodeHello");

  /** Class name (what Jackson's manifest is) by wire name. */
  private static final Map<String, String> CLASS_NAMES = Map.of(
      WIRE_NAMES.get(PeerEnvelope.class), PeerEnvelope.class.getName(),
      WIRE_NAMES.get(ElectionEnvelope.class), ElectionEnvelope.class.getName(),
      WIRE_NAMES.get(NodeHello.class), NodeHello.class.getName());

  private final JacksonCborSerializer jackson;

  public RegentWireSerializer(ExtendedActorSystem system, String bindingName) {
    this.jackson = new JacksonCborSerializer(system, bindingName);
  }

  @Override
  public int identifier() {
    return jackson.identifier();
  }

  @Override
  public String manifest(Object o) {
    String wireName = WIRE_NAMES.get(o.getClass());
    return wireName != null ? wireName : jackson.manifest(o);
  }

  @Override
  public byte[] toBinary(Object o) {
    return jackson.toBinary(o);
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    try {
      Object result = jackson.fromBinary(bytes, CLASS_NAMES.getOrDefault(manifest, manifest));
      return result != null ? result : new MalformedMessage(manifest, "null");
    } catch (Exception e) { // also checked ones Scala throws undeclared (IOException from Jackson)
      return new MalformedMessage(manifest, reason(e));
    }
  }

  private static String reason(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    String text = e.getClass().getSimpleName() + ": " + message;
    return text.length() <= MAX_REASON_LENGTH ? text : text.substring(0, MAX_REASON_LENGTH) + "...";
  }
}
