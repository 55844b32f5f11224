package dev.regent.toolkit.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.internal.election.ConfigId;
import dev.regent.toolkit.internal.election.ElectionMessage.BootstrapProbe;
import dev.regent.toolkit.internal.election.ElectionMessage.BootstrapReply;
import dev.regent.toolkit.internal.election.ElectionMessage.Heartbeat;
import dev.regent.toolkit.internal.election.ElectionMessage.HeartbeatAck;
import dev.regent.toolkit.internal.election.ElectionMessage.PreVoteRequest;
import dev.regent.toolkit.internal.election.ElectionMessage.PreVoteResponse;
import dev.regent.toolkit.internal.election.ElectionMessage.TimeoutNow;
import dev.regent.toolkit.internal.election.ElectionMessage.VoteRequest;
import dev.regent.toolkit.internal.election.ElectionMessage.VoteResponse;
import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.internal.election.VoterConfig;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.util.Try;

/**
 * The election wire format through a real actor system's serialization, configured as in
 * production: Java serialization off, so only the reference.conf binding can make this work.
 */
class ElectionEnvelopeSerializationTest {

  private static final NodeId A = new NodeId("127.0.0.1-2551", 0x1a20_7ba3_ff3d_3132L);
  private static final NodeId B = new NodeId("127.0.0.1-2552", 7);
  private static final NodeId C = new NodeId("host with spaces:ü", -1);
  private static final VoterConfig CONFIG = VoterConfig.of(new ConfigId(4, 2), List.of(A, B, C));
  /** A minted lineage with the top bit set (negative as a long). */
  private static final long L = 0x8f3a_61c0_d2e4_b597L;
  private static final long LEASE = 500_000_000L;

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("wire", ConfigFactory.parseString("""
        pekko.actor.allow-java-serialization = off
        pekko.actor.serialize-messages = off
        """));
    serialization = SerializationExtension.get(testKit.system().classicSystem());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** At least one sample per message type; more where optional or empty parts matter. */
  private static List<ElectionMessage> samples() {
    return List.of(
        new PreVoteRequest(5, A, L, new ConfigId(4, 2)),
        new PreVoteResponse(5, B, L, true),
        new PreVoteResponse(5, B, Lineage.NONE, false),
        new VoteRequest(5, A, L, ConfigId.NONE, Optional.empty()),
        new VoteRequest(6, A, Lineage.LEGACY, new ConfigId(4, 2), Optional.of(B)),
        new VoteResponse(6, C, L, true),
        new Heartbeat(6, A, L, 123_456_789_012L, CONFIG, LEASE),
        new Heartbeat(0, A, Lineage.LEGACY, -5, VoterConfig.EMPTY, 1),
        new Heartbeat(ElectionMessage.MAX_TERM, A, -1, Long.MIN_VALUE, CONFIG,
            3_600_000_000_000L),
        new HeartbeatAck(6, B, L, 123_456_789_012L, new ConfigId(4, 2), true),
        new HeartbeatAck(7, C, L, Long.MIN_VALUE, ConfigId.NONE, false),
        new TimeoutNow(6, A, L),
        new BootstrapProbe(0, A, Lineage.NONE, 0),
        new BootstrapProbe(2, A, Lineage.NONE, Long.MAX_VALUE),
        new BootstrapReply(0, B, Lineage.NONE, false, A.name(), 3),
        new BootstrapReply(9, C, L, true, "", 0));
  }

  @Test
  void samplesCoverEveryMessageType() {
    Set<Class<?>> covered = samples().stream().map(Object::getClass).collect(Collectors.toSet());
    assertEquals(Set.of(ElectionMessage.class.getPermittedSubclasses()), covered);
  }

  @Test
  void electionWireTypesUseTheRegentWrapperOfJacksonCbor() {
    for (Object o : List.of(new ElectionEnvelope("x", new TimeoutNow(1, A, L)),
        new PeerEnvelope("pekko://regent@127.0.0.1:2551", 3,
            new ElectionEnvelope("x", new TimeoutNow(1, A, L))),
        new NodeHello("n", "pekko://regent@127.0.0.1:2551", 3))) {
      Serializer serializer = serialization.findSerializerFor(o);
      assertInstanceOf(RegentWireSerializer.class, serializer, o.toString());
      assertEquals(6173, serializer.identifier());
    }
  }

  @Test
  void peerEnvelopesAndHellosRoundTrip() {
    for (ElectionMessage message : samples()) {
      var peer = new PeerEnvelope("pekko://regent@127.0.0.1:2551", -42,
          new ElectionEnvelope(B.name(), message));
      assertEquals(peer, roundTrip(peer), () -> "round trip of " + message);
    }
    var hello = new NodeHello("n-1", "pekko://regent@127.0.0.1:2551", Long.MIN_VALUE);
    assertEquals(hello, roundTrip(hello));
  }

  /** Jackson alone would read these; the election wire refuses them (reference.conf). */
  @Test
  void strictParsing() throws Exception {
    var envelope = new ElectionEnvelope("x", new TimeoutNow(1, A, L));
    Serializer serializer = serialization.findSerializerFor(envelope);
    String manifest = Serializers.manifestFor(serializer, envelope);
    var mapper = new CBORMapper();
    Map<String, Object> from = Map.of("name", "a", "stateId", 1);
    List<Map<String, Object>> bad = List.of(
        // an unknown field
        Map.of("toName", "x", "message", Map.of("type", "TimeoutNow", "term", 1, "from", from,
            "lineage", 5, "extra", 1)),
        // a missing primitive (lineage would read as 0)
        Map.of("toName", "x", "message", Map.of("type", "TimeoutNow", "term", 1, "from", from)),
        // a number as a string, a float as an integer
        Map.of("toName", "x", "message", Map.of("type", "TimeoutNow", "term", "1", "from", from,
            "lineage", 5)),
        Map.of("toName", "x", "message", Map.of("type", "TimeoutNow", "term", 1.5, "from", from,
            "lineage", 5)));
    for (Map<String, Object> payload : bad) {
      byte[] bytes = mapper.writeValueAsBytes(payload);
      assertMalformed(serialization.deserialize(bytes, serializer.identifier(), manifest));
    }
    byte[] good = mapper.writeValueAsBytes(Map.of("toName", "x", "message",
        Map.of("type", "TimeoutNow", "term", 1, "from", from, "lineage", 5)));
    assertEquals(new ElectionEnvelope("x", new TimeoutNow(1, new NodeId("a", 1), 5)),
        serialization.deserialize(good, serializer.identifier(), manifest).get());
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    assertMalformed(serialization.deserialize(trailing, serializer.identifier(), manifest));
  }

  @Test
  void everyMessageRoundTrips() {
    for (ElectionMessage message : samples()) {
      var envelope = new ElectionEnvelope(B.name(), message);
      Object back = roundTrip(envelope);
      assertEquals(envelope, back, () -> "round trip of " + message);
      // Records compare sets by content; check the sorted, immutable shape survived too.
      if (message instanceof Heartbeat hb) {
        var config = ((Heartbeat) ((ElectionEnvelope) back).message()).config();
        assertEquals(List.copyOf(hb.config().voters()), List.copyOf(config.voters()));
      }
    }
  }

  @Test
  void typeNamesAreLogicalNotClassNames() throws Exception {
    byte[] bytes = serialization.serialize(new ElectionEnvelope("x", new TimeoutNow(1, A, L))).get();
    Map<?, ?> tree = new CBORMapper().readValue(bytes, LinkedHashMap.class);
    assertEquals("TimeoutNow", ((Map<?, ?>) tree.get("message")).get("type"));
    assertEquals(Set.of("toName", "message"), tree.keySet(), "no derived properties on the wire");
    byte[] hb = serialization.serialize(
        new ElectionEnvelope("x", new Heartbeat(1, A, L, 2, CONFIG, LEASE))).get();
    Map<?, ?> config = (Map<?, ?>) ((Map<?, ?>) new CBORMapper().readValue(hb, Map.class)
        .get("message")).get("config");
    assertEquals(Set.of("id", "voters"), config.keySet());
  }

  @Test
  void randomBytesFailCleanly() {
    var envelope = new ElectionEnvelope("x", new TimeoutNow(1, A, L));
    Serializer serializer = serialization.findSerializerFor(envelope);
    String manifest = Serializers.manifestFor(serializer, envelope);
    var random = new Random(42);
    for (int i = 0; i < 2_000; i++) {
      byte[] junk = new byte[random.nextInt(64)];
      random.nextBytes(junk);
      assertMalformed(serialization.deserialize(junk, serializer.identifier(), manifest));
    }
  }

  @Test
  void bareNullAndOtherSingleTokensFailCleanly() {
    var envelope = new ElectionEnvelope("x", new TimeoutNow(1, A, L));
    Serializer serializer = serialization.findSerializerFor(envelope);
    String manifest = Serializers.manifestFor(serializer, envelope);
    // CBOR null, undefined, break, empty map, empty array, false: Jackson alone maps null to null.
    for (int b : new int[] {0xf6, 0xf7, 0xff, 0xa0, 0x80, 0xf4}) {
      byte[] payload = {(byte) b};
      assertMalformed(serialization.deserialize(payload, serializer.identifier(), manifest));
    }
  }

  @Test
  void corruptedPayloadFailsCleanly() {
    var envelope = new ElectionEnvelope("x", new Heartbeat(6, A, L, 1, CONFIG, LEASE));
    Serializer serializer = serialization.findSerializerFor(envelope);
    String manifest = Serializers.manifestFor(serializer, envelope);
    byte[] bytes = serialization.serialize(envelope).get();
    for (int len = 0; len < bytes.length; len++) {
      byte[] truncated = Arrays.copyOf(bytes, len);
      assertMalformed(serialization.deserialize(truncated, serializer.identifier(), manifest));
    }
  }

  @Test
  void unknownOrMissingPartsFailCleanly() throws Exception {
    var envelope = new ElectionEnvelope("x", new TimeoutNow(1, A, L));
    Serializer serializer = serialization.findSerializerFor(envelope);
    String manifest = Serializers.manifestFor(serializer, envelope);
    var mapper = new CBORMapper();
    List<Map<String, Object>> bad = List.of(
        Map.of("toName", "x", "message", Map.of("type", "Bogus", "term", 1)),
        Map.of("toName", "x", "message", Map.of("term", 1)),
        Map.of("toName", "x"),
        Map.of("toName", "x", "message", Map.of("type", "TimeoutNow", "term", 1,
            "from", Map.of("name", " ", "stateId", 1))),
        Map.of("toName", "x", "message", Map.of("type", "java.lang.ProcessBuilder")));
    for (Map<String, Object> payload : bad) {
      byte[] bytes = mapper.writeValueAsBytes(payload);
      assertMalformed(serialization.deserialize(bytes, serializer.identifier(), manifest));
    }
  }

  @Test
  void wrongManifestFailsCleanly() {
    var envelope = new ElectionEnvelope("x", new TimeoutNow(1, A, L));
    Serializer serializer = serialization.findSerializerFor(envelope);
    byte[] bytes = serialization.serialize(envelope).get();
    for (String manifest : List.of("no.such.Class", "java.lang.String",
        "java.lang.ProcessBuilder", TimeoutNow.class.getName(), "")) {
      assertMalformed(serialization.deserialize(bytes, serializer.identifier(), manifest));
    }
    assertNotEquals(0, bytes.length);
  }

  /**
   * The manifests on the wire are fixed names (the classes' names before they moved to {@code
   * internal.wire}), so nodes of the versions before and after the move still understand each
   * other. Written out here rather than taken from the serializer, so a change shows.
   */
  @Test
  void wireNamesStayAsTheyWereBeforeTheClassesMoved() {
    var envelope = new ElectionEnvelope("x", new TimeoutNow(1, A, L));
    Map<Object, String> expected = Map.of(
        envelope, "dev.regent.toolkit.election.wire.ElectionEnvelope",
        new PeerEnvelope("pekko://wire@127.0.0.1:2552", 42L, envelope),
        "dev.regent.toolkit.election.wire.PeerEnvelope",
        new NodeHello("127.0.0.1-2552", "pekko://wire@127.0.0.1:2552", 42L),
        "dev.regent.toolkit.election.wire.NodeHello");
    expected.forEach((message, wireName) -> {
      Serializer serializer = serialization.findSerializerFor(message);
      assertEquals(wireName, Serializers.manifestFor(serializer, message));
      byte[] bytes = serialization.serialize(message).get();
      assertEquals(message, serialization.deserialize(bytes, serializer.identifier(), wireName)
          .get());
    });
  }

  private static Object roundTrip(Object obj) {
    Serializer serializer = serialization.findSerializerFor(obj);
    String manifest = Serializers.manifestFor(serializer, obj);
    byte[] bytes = serialization.serialize(obj).get();
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  /**
   * A bad payload must come back as a {@link MalformedMessage} (which the election actor drops and
   * counts), never as a failure that Pekko remoting would log and drop uncounted, and never as an
   * Error or an escaped throw.
   */
  private static void assertMalformed(Try<Object> result) {
    assertTrue(result.isSuccess(), () -> "expected a MalformedMessage, got " + result);
    assertInstanceOf(MalformedMessage.class, result.get());
  }
}
