package dev.regent.toolkit.internal.wire;

import dev.regent.toolkit.internal.election.ConfigId;
import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.internal.election.VoterConfig;
import dev.regent.toolkit.leadership.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes and reads one of every election wire message once, in the background, when a node
 * starts, so that the first real message of each kind does not pay for building the codec.
 *
 * <p>Why: Jackson builds its serializer and deserializer of a type (by reflection over the record,
 * its mix-ins and its fields' types) the first time it meets the type, and the JVM loads and
 * interprets the classes involved. On a 2-core machine that costs about 10 ms per type and per
 * direction. A node that just restarted has only ever followed: the first vote request it sends,
 * the first vote it reads, its first heartbeat and the first acknowledgement it reads are all
 * cold. That is exactly the node a rolling restart hands the singleton to next, and each cold
 * message was one of the hops of the hand-over ({@code HandOverBreakdownTest}: 10-20 ms per hop
 * on a restarted target against about 1 ms warm).
 *
 * <p>It runs once, on Pekko's blocking dispatcher (never the election actor's), on made-up values
 * that never leave the node, and any failure is logged at DEBUG and otherwise ignored: the real
 * messages then simply pay the cost themselves.
 */
public final class WireWarmUp {

  private static final Logger log = LoggerFactory.getLogger(WireWarmUp.class);

  /** Two rounds: the second one also runs the cached paths, which the first only builds. */
  private static final int ROUNDS = 2;

  private WireWarmUp() {}

  /** Starts the warm-up in the background on {@code system}'s blocking dispatcher. */
  public static void start(ActorSystem<?> system) {
    Executor executor = system.dispatchers().lookup(DispatcherSelector.blocking());
    executor.execute(() -> run(SerializationExtension.get(system.classicSystem())));
  }

  /** Round-trips every sample through {@code serialization}; returns how many round trips held. */
  static int run(Serialization serialization) {
    long start = System.nanoTime();
    int ok = 0;
    try {
      List<Object> samples = samples();
      for (int round = 0; round < ROUNDS; round++) {
        for (Object sample : samples) {
          var serializer = serialization.findSerializerFor(sample);
          byte[] bytes = serializer.toBinary(sample);
          Object back = serialization.deserialize(bytes, serializer.identifier(),
              Serializers.manifestFor(serializer, sample)).get();
          if (back.equals(sample)) {
            ok++;
          }
        }
      }
      log.debug("Warmed up the election's wire codec: {} round trips in {} ms", ok,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } catch (RuntimeException | LinkageError e) {
      log.debug("Warming up the election's wire codec failed; the first messages pay instead", e);
    }
    return ok;
  }

  /** One of every message the election actors exchange, with made-up values. */
  static List<Object> samples() {
    NodeId a = new NodeId("warm-up-a", 1L);
    NodeId b = new NodeId("warm-up-b", 2L);
    ConfigId config = new ConfigId(1, 1);
    long lineage = 1L;
    List<ElectionMessage> messages = List.of(
        new ElectionMessage.PreVoteRequest(2, a, lineage, config),
        new ElectionMessage.PreVoteResponse(2, b, lineage, true),
        new ElectionMessage.VoteRequest(2, a, lineage, config, Optional.of(b)),
        new ElectionMessage.VoteResponse(2, b, lineage, true),
        new ElectionMessage.Heartbeat(2, a, lineage, 1L, VoterConfig.of(config, List.of(a, b)),
            TimeUnit.MILLISECONDS.toNanos(500)),
        new ElectionMessage.HeartbeatAck(2, b, lineage, 1L, config, true),
        new ElectionMessage.TimeoutNow(2, a, lineage),
        new ElectionMessage.BootstrapProbe(0, a, 0L, 1L),
        new ElectionMessage.BootstrapReply(0, b, 0L, false, "warm-up-a", 1L));
    List<Object> samples = new ArrayList<>();
    for (ElectionMessage m : messages) {
      samples.add(new PeerEnvelope("pekko://warm-up@127.0.0.1:1", 1L,
          new ElectionEnvelope(m.from().equals(a) ? b.name() : a.name(), m)));
    }
    samples.add(new NodeHello(a.name(), "pekko://warm-up@127.0.0.1:1", 1L));
    return samples;
  }
}
