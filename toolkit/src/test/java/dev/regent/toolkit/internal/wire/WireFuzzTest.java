package dev.regent.toolkit.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.internal.election.ConfigId;
import dev.regent.toolkit.internal.election.ElectionCore;
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
import dev.regent.toolkit.internal.election.HostileInputCore;
import dev.regent.toolkit.internal.election.NodeState;
import dev.regent.toolkit.internal.election.VoterConfig;
import dev.regent.toolkit.internal.shell.ElectionRuntime;
import dev.regent.toolkit.leadership.NodeId;
import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.RawFrame;
import dev.regent.toolkit.testkit.RawFrameSerializer;
import dev.regent.toolkit.testkit.TestCluster;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;

import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wire fuzzing (issue 14 item 6; issue 13 scenario 8): generated malformed payloads for every
 * election message type, encoded with real CBOR, sent over real Artery remoting into the live
 * election actor of one node of a 2-node cluster. Property: no actor restart, no change of term,
 * vote, configuration, lineage or role on the receiving node, and every malformed message counted
 * as dropped.
 *
 * <p>How the bytes get onto the wire: a third actor system (not a cluster member) replaces, in its
 * own configuration only, the serializer named {@code regent-election-cbor} by {@link RawFrameSerializer},
 * which has the same identifier and writes a {@link RawFrame}'s bytes and manifest as they are. The
 * receiving node therefore decodes them with the real {@code RegentWireSerializer}, exactly as a
 * frame from a buggy or hostile peer.
 *
 * <p>Payloads: every field of every message (and of the envelopes around it) removed, replaced by
 * {@code null} or a value of the wrong type, numbers replaced by boundary values ({@code
 * Long.MAX_VALUE} and {@code Long.MIN_VALUE}, -1, {@code MAX_TERM + 1}, 2^64), an extra field;
 * valid payloads truncated, with bytes flipped or appended; random bytes. A generated payload that
 * the receiver's serializer reads as a well-formed message (a flipped bit inside a timestamp, an
 * {@code Optional} field set to null) is not malformed and is not sent; the number is printed.
 * Seeded by {@code -Dregent.fuzz.seed} (printed), sized by {@code -Dregent.fuzz.random}.
 */
class WireFuzzTest {

  private static final NodeId A = new NodeId("127.0.0.1-2551", 0x1a20_7ba3_ff3d_3132L);
  private static final NodeId B = new NodeId("127.0.0.1-2552", 7);
  private static final long L = 0x8f3a_61c0_d2e4_b597L;
  private static final VoterConfig CONFIG =
      VoterConfig.of(new ConfigId(4, 2), List.of(A, B));
  private static final String PEER_ADDRESS = "pekko://regent@127.0.0.1:2551";

  @TempDir Path stateRoot;
  private TestCluster cluster;
  private ActorSystem<Void> fuzzer;

  @AfterEach
  void stop() {
    if (fuzzer != null) {
      fuzzer.terminate();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** One sample per election message type. */
  static List<ElectionMessage> samples() {
    return List.of(
        new PreVoteRequest(5, A, L, new ConfigId(4, 2)),
        new PreVoteResponse(5, B, L, true),
        new VoteRequest(6, A, L, new ConfigId(4, 2), Optional.of(B)),
        new VoteResponse(6, B, L, true),
        new Heartbeat(6, A, L, 123_456_789_012L, CONFIG, 500_000_000L),
        new HeartbeatAck(6, B, L, 123_456_789_012L, new ConfigId(4, 2), true),
        new TimeoutNow(6, A, L),
        new BootstrapProbe(0, A, 0, 3),
        new BootstrapReply(0, B, 0, false, A.name(), 3));
  }

  // ---- payload generation --------------------------------------------------------------------

  /** A generated payload and what was done to produce it. */
  record Payload(String kind, String manifest, byte[] bytes) {}

  private static final CBORMapper CBOR = new CBORMapper();

  private static Map<String, Object> tree(byte[] cbor) {
    try {
      return CBOR.readValue(cbor, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] cbor(Object tree) {
    try {
      return CBOR.writeValueAsBytes(tree);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every path to a field in a tree (maps only; the voter list as a whole). */
  @SuppressWarnings("unchecked")
  private static void paths(Map<String, Object> node, List<String> prefix, List<List<String>> out) {
    for (var e : node.entrySet()) {
      var path = new ArrayList<>(prefix);
      path.add(e.getKey());
      out.add(path);
      if (e.getValue() instanceof Map<?, ?> child) {
        paths((Map<String, Object>) child, path, out);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deepCopy(Map<String, Object> m) {
    var copy = new LinkedHashMap<String, Object>();
    m.forEach((k, v) -> copy.put(k, v instanceof Map<?, ?> c
        ? deepCopy((Map<String, Object>) c) : v instanceof List<?> l ? new ArrayList<>(l) : v));
    return copy;
  }

  /** A copy of {@code root} with {@code edit} applied to the map holding the path's last key. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> edit(Map<String, Object> root, List<String> path,
      java.util.function.BiConsumer<Map<String, Object>, String> edit) {
    var copy = deepCopy(root);
    Map<String, Object> holder = copy;
    for (String key : path.subList(0, path.size() - 1)) {
      holder = (Map<String, Object>) holder.get(key);
    }
    edit.accept(holder, path.get(path.size() - 1));
    return copy;
  }

  private static List<Object> wrongTypes(Object value) {
    if (value instanceof Number) {
      return List.of("x", List.of(1), Map.of("n", 1), true, 1.5);
    }
    if (value instanceof Boolean) {
      return List.of("yes", 1, List.of());
    }
    if (value instanceof String) {
      // Not a number: Jackson reads one where text belongs as its decimal text (a well-formed
      // message, which the records' and the actor's checks then judge).
      return List.of(Map.of("s", "x"), List.of("x"));
    }
    if (value instanceof Map) {
      return List.of("x", 7, List.of(), false);
    }
    return List.of("x", 7, Map.of());
  }

  private static final List<Object> NUMBERS = List.of(Long.MAX_VALUE, Long.MIN_VALUE, -1L,
      ElectionMessage.MAX_TERM + 1, BigInteger.ONE.shiftLeft(64), BigInteger.ONE.shiftLeft(64).negate());

  /** Structured mutations of one valid payload (as a CBOR tree) with {@code manifest}. */
  private static void mutate(String what, String manifest, Map<String, Object> valid,
      List<Payload> out) {
    var paths = new ArrayList<List<String>>();
    paths(valid, List.of(), paths);
    for (List<String> path : paths) {
      String field = what + "." + String.join(".", path);
      Object value = get(valid, path);
      out.add(new Payload("missing " + field, manifest, cbor(edit(valid, path, Map::remove))));
      out.add(new Payload("null " + field, manifest,
          cbor(edit(valid, path, (m, k) -> m.put(k, null)))));
      for (Object wrong : wrongTypes(value)) {
        out.add(new Payload("wrong type " + field, manifest,
            cbor(edit(valid, path, (m, k) -> m.put(k, wrong)))));
      }
      if (value instanceof Number) {
        for (Object n : NUMBERS) {
          out.add(new Payload("number " + n + " in " + field, manifest,
              cbor(edit(valid, path, (m, k) -> m.put(k, n)))));
        }
      }
      out.add(new Payload("extra field beside " + field, manifest,
          cbor(edit(valid, path, (m, k) -> m.put("unexpected", 1)))));
    }
  }

  @SuppressWarnings("unchecked")
  private static Object get(Map<String, Object> root, List<String> path) {
    Object v = root;
    for (String key : path) {
      v = ((Map<String, Object>) v).get(key);
    }
    return v;
  }

  /** All payloads: structured mutations of every type, then byte-level damage and random bytes. */
  static List<Payload> generate(Serialization serialization, long seed, int randomCount) {
    var random = new Random(seed);
    var out = new ArrayList<Payload>();
    var valid = new ArrayList<Payload>();
    for (ElectionMessage m : samples()) {
      String type = m.getClass().getSimpleName();
      var envelope = new ElectionEnvelope(B.name(), m);
      var peer = new PeerEnvelope(PEER_ADDRESS, 42, envelope);
      for (Object o : List.of(peer, envelope)) {
        Serializer s = serialization.findSerializerFor(o);
        String manifest = Serializers.manifestFor(s, o);
        byte[] bytes = serialization.serialize(o).get();
        valid.add(new Payload(o.getClass().getSimpleName() + "/" + type, manifest, bytes));
        mutate(o.getClass().getSimpleName() + "/" + type, manifest, tree(bytes), out);
      }
    }
    var hello = new NodeHello("n-1", PEER_ADDRESS, 42);
    Serializer hs = serialization.findSerializerFor(hello);
    byte[] helloBytes = serialization.serialize(hello).get();
    valid.add(new Payload("NodeHello", Serializers.manifestFor(hs, hello), helloBytes));
    mutate("NodeHello", Serializers.manifestFor(hs, hello), tree(helloBytes), out);
    for (Payload v : valid) {
      for (int i = 0; i < 4; i++) {
        int len = random.nextInt(v.bytes().length);
        out.add(new Payload("truncated to " + len + " " + v.kind(), v.manifest(),
            Arrays.copyOf(v.bytes(), len)));
      }
      for (int i = 0; i < 4; i++) {
        byte[] flipped = v.bytes().clone();
        flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
        out.add(new Payload("bit flipped " + v.kind(), v.manifest(), flipped));
      }
      byte[] appended = Arrays.copyOf(v.bytes(), v.bytes().length + 1 + random.nextInt(8));
      out.add(new Payload("bytes appended " + v.kind(), v.manifest(), appended));
    }
    List<String> manifests = valid.stream().map(Payload::manifest).distinct().toList();
    for (int i = 0; i < randomCount; i++) {
      byte[] junk = new byte[random.nextInt(96)];
      random.nextBytes(junk);
      String manifest = i % 10 == 0 ? "java.lang.ProcessBuilder"
          : manifests.get(random.nextInt(manifests.size()));
      out.add(new Payload("random bytes", manifest, junk));
    }
    return out;
  }

  // ---- the live test ---------------------------------------------------------------------------

  @Test
  void malformedMessagesAreDroppedAndCountedWithoutRestartsOrStateChanges() {
    long seed = Long.getLong("regent.fuzz.seed", System.nanoTime());
    int randomCount = Integer.getInteger("regent.fuzz.random", 1_500);
    System.out.println("wire fuzz seed " + seed + " (-Dregent.fuzz.seed=" + seed + ")");

    // Election timeouts well above scheduling hiccups on a loaded 2-core machine, so the leader
    // stays put while the fuzzer runs and any state change is the fuzzer's.
    String timings = """
        regent.election.heartbeat-interval = 200ms
        regent.election.lease = 1s
        regent.election.election-timeout-min = 3s
        regent.election.election-timeout-max = 4s
        """;
    cluster = new TestCluster(stateRoot);
    cluster.startNode(0, timings);
    cluster.startNode(0, timings);
    cluster.awaitAllUp(Duration.ofSeconds(30));
    cluster.awaitVoters(Duration.ofSeconds(30));
    ActorSystem<Void> leader = cluster.awaitLeader(Duration.ofSeconds(30));
    ActorSystem<Void> target = TestCluster.without(cluster.live(), leader).get(0);
    ElectionRuntime rt = ElectionRuntime.get(target);

    Serialization receiving = SerializationExtension.get(target.classicSystem());
    List<Payload> generated = generate(receiving, seed, randomCount);
    // Only malformed payloads are fuzz: a mutation the receiver reads as a well-formed message
    // (an Optional set to null, a flipped bit in a timestamp) is a valid message, not sent here.
    int wellFormed = 0;
    var malformed = new ArrayList<Payload>();
    for (Payload p : generated) {
      Object decoded = receiving.deserialize(p.bytes(), 6173, p.manifest()).get();
      if (decoded instanceof MalformedMessage) {
        malformed.add(p);
      } else {
        wellFormed++;
        assertTrue(p.kind().startsWith("null ") || p.kind().startsWith("bit flipped")
            || p.kind().startsWith("number "), () -> "should be malformed: " + p.kind());
      }
    }

    fuzzer = ActorSystem.create(Behaviors.empty(), "regent", ConfigFactory.parseString("""
        pekko.loglevel = WARNING
        pekko.actor.provider = remote
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = 0
        pekko.actor.serializers.regent-election-cbor = "%s"
        pekko.actor.serialization-bindings {
          "%s" = regent-election-cbor
        }
        """.formatted(RawFrameSerializer.class.getName(), RawFrame.class.getName()))
        .withFallback(ConfigFactory.load()));
    ActorRef<Object> electionActor = ActorRefResolver.get(fuzzer).resolveActorRef(
        TestCluster.addressOf(target) + ElectionRuntime.ACTOR_PATH);

    var before = observe(rt);
    long restartsBefore = cluster.live().stream()
        .mapToLong(s -> ElectionRuntime.get(s).restartCount()).sum();
    long droppedBefore = rt.droppedCount();
    int sent = 0;
    for (int from = 0; from < malformed.size(); from += 250) {
      // In batches, so Artery's outbound queue (3072 by default) never overflows and drops some.
      for (Payload p : malformed.subList(from, Math.min(from + 250, malformed.size()))) {
        electionActor.tell(new RawFrame(p.manifest(), p.bytes()));
        sent++;
      }
      long expected = droppedBefore + sent;
      int sentSoFar = sent;
      Await.until(Duration.ofSeconds(30), () -> "the election actor counts " + sentSoFar
          + " malformed messages, has " + (rt.droppedCount() - droppedBefore),
          () -> rt.droppedCount() >= expected);
    }
    long restarts = cluster.live().stream()
        .mapToLong(s -> ElectionRuntime.get(s).restartCount()).sum() - restartsBefore;
    var after = observe(rt);
    int stateChanges = after.equals(before) ? 0 : 1;
    System.out.println("fuzzed " + sent + " messages: " + restarts + " actor restarts, "
        + stateChanges + " state changes");
    System.out.println("  (" + wellFormed + " generated payloads were well-formed and not sent; by"
        + " kind: " + malformed.stream().collect(Collectors.groupingBy(
            p -> p.kind().split(" ")[0], TreeMap::new, Collectors.counting())) + ")");
    assertEquals(0, restarts, "election actor restarts");
    assertEquals(before, after, "term, vote, configuration, lineage and role of the receiver");
    assertEquals(sent, rt.droppedCount() - droppedBefore, "every malformed message counted");
    assertTrue(sent >= 2_000, "fuzzed " + sent);
  }

  private static HostileInputCore.Observed observe(ElectionRuntime rt) {
    NodeState s = rt.lastState().orElseThrow();
    return HostileInputCore.Observed.of(s);
  }

  // ---- the broken variant ----------------------------------------------------------------------

  /**
   * The fuzzer's boundary numbers against the core: {@code Long.MAX_VALUE}, negative terms and
   * {@code MAX_TERM + 1} cannot even be built (the records refuse them, so the payload is
   * malformed); what can be built ({@code MAX_TERM}, a jump just over
   * {@link ElectionCore#MAX_TERM_JUMP}) leaves the real core's term, vote, configuration, lineage
   * and role unchanged, and the same property catches the core with its term-jump bound removed
   * ({@code Defect.UNBOUNDED_TERM_JUMP}): there every such message changes the state.
   */
  @Test
  void thePropertyCatchesACoreWithoutItsTermBound() {
    for (long bad : new long[] {Long.MAX_VALUE, -1, ElectionMessage.MAX_TERM + 1,
        Long.MIN_VALUE}) {
      assertThrows(IllegalArgumentException.class,
          () -> new TimeoutNow(bad, HostileInputCore.PEER, HostileInputCore.LINEAGE));
    }
    var peer = HostileInputCore.PEER;
    long l = HostileInputCore.LINEAGE;
    Function<Long, List<ElectionMessage>> messages = term -> List.of(
        new PreVoteRequest(term, peer, l, HostileInputCore.CONFIG.id()),
        new VoteRequest(term, peer, l, HostileInputCore.CONFIG.id(), Optional.empty()),
        new Heartbeat(term, peer, l, 1, HostileInputCore.CONFIG, 500_000_000L),
        new HeartbeatAck(term, peer, l, 1, HostileInputCore.CONFIG.id(), false),
        new TimeoutNow(term, peer, l),
        new VoteResponse(term, peer, l, false));
    var hostile = new ArrayList<ElectionMessage>();
    for (long term : new long[] {ElectionMessage.MAX_TERM,
        HostileInputCore.TERM + ElectionCore.MAX_TERM_JUMP + 1}) {
      hostile.addAll(messages.apply(term));
    }
    assertEquals(List.of(), HostileInputCore.stateChangers(false, hostile),
        "the real core changes nothing");
    var broken = HostileInputCore.stateChangers(true, hostile);
    System.out.println("broken variant (UNBOUNDED_TERM_JUMP): " + broken.size() + " of "
        + hostile.size() + " boundary messages change the state");
    assertFalse(broken.isEmpty(), "the property must catch the broken core");
    // At least every message that makes a node adopt its term: the heartbeat and the answers.
    for (ElectionMessage m : hostile) {
      if (m instanceof Heartbeat || m instanceof HeartbeatAck || m instanceof VoteResponse) {
        assertTrue(broken.contains(m), () -> "the broken core adopts the term of " + m);
      }
    }
  }
}
