package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.regent.multijvm.harness.TestPki;
import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.internal.election.HostileInputCore;
import dev.regent.toolkit.leadership.NodeId;
import dev.regent.toolkit.internal.election.NodeState;
import dev.regent.toolkit.internal.wire.ElectionEnvelope;
import dev.regent.toolkit.internal.wire.NodeHello;
import dev.regent.toolkit.internal.wire.PeerEnvelope;
import dev.regent.toolkit.internal.shell.ElectionRuntime;
import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.metrics.RegentMetrics;
import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.Ports;
import dev.regent.toolkit.testkit.RawFrame;
import dev.regent.toolkit.testkit.RawFrameSerializer;
import dev.regent.toolkit.testkit.TestCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import javax.net.ssl.SSLSocket;
import org.apache.pekko.actor.Address;

import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Hostile peers against a real 3-node Regent cluster (actor systems in this JVM) that runs Artery
 * over mutual TLS ({@link TestPki}, Pekko's {@code RotatingKeysSSLEngineProvider}) in untrusted
 * mode, with the status endpoint on. The hostiles: a node with a certificate of another CA, one
 * with a certificate of another cluster from the same CA, an actor system of another cluster name,
 * a process with a valid certificate that is not a member (forging envelopes: its own identity, a
 * member's identity with absurd terms and a foreign lineage, replays under a restarted member's
 * old incarnation, a PoisonPill to the election actor), malformed election payloads, garbage and
 * oversized frames at the Artery port, garbage and an oversized request at the status port.
 *
 * <p>Property: none of them joins; no node's term, vote, configuration, lineage, role or leader
 * changes; no election actor restarts or stops; each refused election message is counted by kind
 * in {@link RegentMetrics} and logged. Two controls show the property can fail: a forged heartbeat
 * with a plausible next term, sent the same way as the absurd ones, does change a node's term (so
 * the forged messages reach the core, and the comparison sees a change); and the same PoisonPill
 * stops the election actor of a node that runs without untrusted mode.
 */
class HostilePeersTest {

  private static final String CLUSTER = TlsClusterTest.CLUSTER_NAME;
  /** Election timeouts well above scheduling hiccups, so any state change is the hostiles'. */
  private static final String TIMINGS = """
      regent.election.heartbeat-interval = 250ms
      regent.election.lease = 2s
      regent.election.election-timeout-min = 5s
      regent.election.election-timeout-max = 6s
      regent.status.enabled = on
      pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
      pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
      """;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;
  private TestCluster cluster;
  private final List<ActorSystem<?>> hostiles = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private TestPki ca;
  private TestPki.Issued probeCert;

  @AfterEach
  void stop() {
    hostiles.forEach(ActorSystem::terminate);
    hostiles.forEach(TestCluster::awaitTerminated);
    if (cluster != null) {
      cluster.close();
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  /** TLS (files in {@code dir}) and untrusted mode, as every node of the cluster runs. */
  private static String tls(Path dir) {
    return TestPki.artery("\"" + dir.toAbsolutePath() + "\"", Duration.ofSeconds(1)) + "\n"
        + TlsClusterTest.UNTRUSTED;
  }

  private Path certDir(TestPki issuer, String name, List<String> dnsNames) {
    Path dir = tmp.resolve("pki").resolve(name);
    issuer.writePem(dir, issuer.issue(name, dnsNames));
    return dir;
  }

  @Test
  void hostilePeersCannotJoinVoteOrChangeElectionState() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);

    ca = TestPki.newCa("Regent test CA");
    probeCert = ca.issue("probe", List.of(CLUSTER));
    cluster = new TestCluster(tmp.resolve("state"));
    int[] ports = {Ports.freePort(), Ports.freePort(), Ports.freePort()};
    var nodes = new ArrayList<ActorSystem<Void>>();
    for (int i = 0; i < 3; i++) {
      nodes.add(cluster.startNode(ports[i], TIMINGS, ConfigFactory.parseString(
          tls(certDir(ca, "node-" + i, List.of(CLUSTER))))));
    }
    cluster.awaitAllUp(WAIT);
    cluster.awaitVoters(WAIT);

    // A real old incarnation: node 2 leaves and comes back at the same address (same state, so the
    // same voter), with a new uid. Its old uid is what a replay carries.
    ActorSystem<Void> old2 = nodes.get(2);
    long oldUid2 = Cluster.get(old2).selfMember().uniqueAddress().longUid();
    Address address2 = TestCluster.addressOf(old2);
    cluster.terminate(old2);
    Await.until(WAIT, () -> "node 2 removed", () -> cluster.live().stream().allMatch(
        s -> TestCluster.members(s).stream().noneMatch(m -> m.address().equals(address2))));
    nodes.set(2, cluster.startNode(ports[2], TIMINGS, ConfigFactory.parseString(
        tls(tmp.resolve("pki").resolve("node-2")))));
    cluster.awaitAllUp(WAIT);
    cluster.awaitVoters(WAIT);
    ActorSystem<Void> leader = cluster.awaitLeader(WAIT);
    assertNotEquals(oldUid2, Cluster.get(nodes.get(2)).selfMember().uniqueAddress().longUid());

    var before = observe(nodes);
    var membersBefore = members(nodes);
    long restartsBefore = restarts(nodes);
    System.out.println("hostile peers: cluster " + membersBefore.get(0) + ", state " + before);

    // 1. Would-be members that must not get in.
    ActorSystem<Void> foreignCa = hostile("regent", 0, tls(certDir(TestPki.newCa("Another CA"),
        "foreign-ca", List.of(CLUSTER))), "");
    ActorSystem<Void> otherCluster = hostile("regent", 0, tls(certDir(ca, "other-cluster",
        List.of("another-cluster.invalid"))), "");
    ActorSystem<Void> otherName = hostile("intruder", 0, tls(certDir(ca, "other-name",
        List.of(CLUSTER))), "");
    Address seed = TestCluster.addressOf(nodes.get(0));
    for (ActorSystem<Void> h : List.of(foreignCa, otherCluster, otherName)) {
      Cluster.get(h).manager().tell(org.apache.pekko.cluster.typed.Join.create(seed));
    }

    // 2. A process with a valid certificate that is not a member: forged envelopes.
    ActorSystem<Void> forger = hostile("regent", 0, tls(certDir(ca, "forger", List.of(CLUSTER))),
        "");
    ActorSystem<Void> target = TestCluster.without(nodes, leader).get(0);
    NodeState ts = ElectionRuntime.get(target).lastState().orElseThrow();
    long term = ts.term();
    long lineage = ts.lineage();
    NodeId leaderId = RegentElection.get(leader).selfId();
    NodeId node2Id = RegentElection.get(nodes.get(2)).selfId();
    Address leaderAddress = TestCluster.addressOf(leader);
    long leaderUid = Cluster.get(leader).selfMember().uniqueAddress().longUid();
    String forgerAddress = TestCluster.addressOf(forger).toString();
    long forgerUid = Cluster.get(forger).selfMember().uniqueAddress().longUid();
    NodeId forgerId = new NodeId(forgerAddress.replace("pekko://regent@", "").replace(':', '-'), 99);
    long absurd = ElectionMessage.MAX_TERM;
    long justTooFar = term + dev.regent.toolkit.internal.election.ElectionCore.MAX_TERM_JUMP + 1;
    var forged = new ArrayList<Map.Entry<ActorSystem<Void>, PeerEnvelope>>();
    for (ActorSystem<Void> n : nodes) {
      String toName = RegentElection.get(n).selfId().name();
      // Its own identity: not a member.
      forged.add(Map.entry(n, new PeerEnvelope(forgerAddress, forgerUid, new ElectionEnvelope(
          toName, new ElectionMessage.VoteRequest(term + 1, forgerId, lineage, ts.config().id(),
              Optional.empty())))));
      forged.add(Map.entry(n, new PeerEnvelope(forgerAddress, forgerUid, new ElectionEnvelope(
          toName, new ElectionMessage.Heartbeat(term + 1, forgerId, lineage, System.nanoTime(),
              ts.config(), 1_000_000_000L)))));
      // Votes cast by a non-member: they must not count for anyone.
      forged.add(Map.entry(n, new PeerEnvelope(forgerAddress, forgerUid, new ElectionEnvelope(
          toName, new ElectionMessage.VoteResponse(term + 1, forgerId, lineage, true)))));
      forged.add(Map.entry(n, new PeerEnvelope(forgerAddress, forgerUid, new ElectionEnvelope(
          toName, new ElectionMessage.PreVoteResponse(term + 1, forgerId, lineage, true)))));
      // A replay of node 2's old incarnation, with messages that would change state if accepted.
      forged.add(Map.entry(n, new PeerEnvelope(address2.toString(), oldUid2, new ElectionEnvelope(
          toName, new ElectionMessage.VoteRequest(term + 1, node2Id, lineage, ts.config().id(),
              Optional.empty())))));
      forged.add(Map.entry(n, new PeerEnvelope(address2.toString(), oldUid2, new ElectionEnvelope(
          toName, new ElectionMessage.TimeoutNow(term + 1, node2Id, lineage)))));
    }
    // Absurd terms and a foreign lineage under the leader's own (claimed) identity, to a follower.
    String targetName = RegentElection.get(target).selfId().name();
    for (long t : new long[] {absurd, justTooFar}) {
      forged.add(Map.entry(target, new PeerEnvelope(leaderAddress.toString(), leaderUid,
          new ElectionEnvelope(targetName, new ElectionMessage.VoteRequest(t, leaderId, lineage,
              ts.config().id(), Optional.empty())))));
      forged.add(Map.entry(target, new PeerEnvelope(leaderAddress.toString(), leaderUid,
          new ElectionEnvelope(targetName, new ElectionMessage.PreVoteRequest(t, leaderId,
              lineage, ts.config().id())))));
      forged.add(Map.entry(target, new PeerEnvelope(leaderAddress.toString(), leaderUid,
          new ElectionEnvelope(targetName, new ElectionMessage.Heartbeat(t, leaderId, lineage,
              System.nanoTime(), ts.config(), 1_000_000_000L)))));
    }
    forged.add(Map.entry(target, new PeerEnvelope(leaderAddress.toString(), leaderUid,
        new ElectionEnvelope(targetName, new ElectionMessage.Heartbeat(term + 1, leaderId,
            lineage ^ 0x5a5a_5a5a_5a5a_5a5aL, System.nanoTime(), ts.config(), 1_000_000_000L)))));
    ActorRefResolver resolver = ActorRefResolver.get(forger);
    for (var f : forged) {
      electionActor(resolver, f.getKey()).tell(f.getValue());
    }
    for (ActorSystem<Void> n : nodes) {
      electionActor(resolver, n).tell(new NodeHello("forger", forgerAddress, forgerUid));
      // Untrusted mode drops PossiblyHarmful messages: this would stop the election actor.
      Adapter.toClassic(electionActor(resolver, n)).tell(PoisonPill.getInstance(),
          org.apache.pekko.actor.ActorRef.noSender());
    }
    // The other cluster name's system sends too (Artery delivers by path, whatever its name).
    electionActor(ActorRefResolver.get(otherName), target).tell(new PeerEnvelope(
        TestCluster.addressOf(otherName).toString(), 1, new ElectionEnvelope(targetName,
            new ElectionMessage.TimeoutNow(term + 1, leaderId, lineage))));

    // 3. Malformed election payloads from a valid certificate holder.
    ActorSystem<Void> fuzzer = hostile("regent", 0, tls(certDir(ca, "fuzzer", List.of(CLUSTER))),
        """
        pekko.actor.serializers.regent-election-cbor = "%s"
        pekko.actor.serialization-bindings { "%s" = regent-election-cbor }
        """.formatted(RawFrameSerializer.class.getName(), RawFrame.class.getName()));
    var random = new Random(17);
    // The manifest real envelopes travel with, so the junk reaches the envelope's parser.
    var serialization = org.apache.pekko.serialization.SerializationExtension.get(
        nodes.get(0).classicSystem());
    Object sample = forged.get(0).getValue();
    String manifest = org.apache.pekko.serialization.Serializers.manifestFor(
        serialization.findSerializerFor(sample), sample);
    int malformed = 0;
    for (ActorSystem<Void> n : nodes) {
      for (int i = 0; i < 20; i++) {
        byte[] junk = new byte[1 + random.nextInt(200)];
        random.nextBytes(junk);
        electionActor(ActorRefResolver.get(fuzzer), n).tell(
            new RawFrame(manifest, junk));
        malformed++;
      }
    }

    // 4. Garbage and oversized frames at the Artery port, and at the status endpoint.
    TestPki.Issued otherClusterCert = ca.issue("other-cluster-probe",
        List.of("another-cluster.invalid"));
    for (ActorSystem<Void> n : nodes) {
      Address a = TestCluster.addressOf(n);
      int port = a.getPort().orElseThrow();
      rawGarbage(port, random, 64 * 1024); // not TLS at all
      tlsGarbage(port, "XXXX".getBytes(StandardCharsets.US_ASCII), random, 4096); // bad magic
      // Pekko's magic, the ordinary stream, then a frame that claims 100 MB and is cut off.
      tlsGarbage(port, concat("PEKK".getBytes(StandardCharsets.US_ASCII), new byte[] {1},
          intLe(100_000_000)), random, 2 * 1024 * 1024);
      // Another cluster's certificate from the same CA, on a client that trusts the node: the
      // handshake completes and the node's peer check refuses it.
      tlsGarbage(port, otherClusterCert, new byte[0], random, 1024, true);
      // A frame of the allowed size whose content is junk.
      tlsGarbage(port, concat("PEKK".getBytes(StandardCharsets.US_ASCII), new byte[] {1},
          intLe(1000)), random, 1000);
      int status = ElectionRuntime.get(n).statusAddress().orElseThrow().getPort();
      rawGarbage(status, random, 64 * 1024);
      oversizedHttp(status, 1024 * 1024);
    }

    // Nothing changes, for a window longer than an election timeout and the joiners' retries.
    try {
      Await.holds(Duration.ofSeconds(8), Duration.ofMillis(100),
          "no election state change, no new member", () -> observe(nodes).equals(before)
              && members(nodes).equals(membersBefore) && restarts(nodes) == restartsBefore);
    } catch (AssertionError e) {
      // Say what changed: a hostile's doing, or (the timings above make it unlikely) a lease lost
      // to a starved machine; the nodes' WARN/INFO lines around it tell which.
      throw new AssertionError(e.getMessage() + "\n  state before " + before + "\n  state now    "
          + observe(nodes) + "\n  members before " + membersBefore + "\n  members now    "
          + members(nodes) + "\n  election actor restarts " + restartsBefore + " -> "
          + restarts(nodes), e);
    }
    for (ActorSystem<Void> h : List.of(foreignCa, otherCluster, otherName, forger, fuzzer)) {
      assertFalse(Cluster.get(h).selfMember().status() == MemberStatus.up(),
          "hostile " + TestCluster.addressOf(h) + " is not a member");
    }
    for (ActorSystem<Void> n : nodes) {
      // The status endpoint still answers.
      int status = ElectionRuntime.get(n).statusAddress().orElseThrow().getPort();
      HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
          .build().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + status
              + "/status")).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("peerMessagesDropped"), r.body());
      // The TLS port still serves this cluster's clients.
      assertEquals(true, TlsProbe.servedSerial("127.0.0.1:" + TestCluster.addressOf(n).getPort()
          .orElseThrow(), ca, probeCert) != null);
    }

    // Counted, by kind, in the public metrics.
    Map<String, Long> dropped = new HashMap<>();
    Map<String, Long> rejected = new HashMap<>();
    for (ActorSystem<Void> n : nodes) {
      RegentMetrics.get(n).peerMessagesDroppedByKind().forEach((k, v) -> dropped.merge(k, v,
          Long::sum));
      RegentMetrics.get(n).peerMessagesRejectedByReason().forEach((k, v) -> rejected.merge(k, v,
          Long::sum));
    }
    System.out.println("MEASURED hostile peers: dropped by kind " + dropped + ", rejected by"
        + " reason " + rejected);
    assertTrue(dropped.getOrDefault("non-member", 0L) >= 4L * nodes.size() + 1 + nodes.size(),
        "non-member envelopes and hellos: " + dropped);
    assertTrue(dropped.getOrDefault("incarnation", 0L) >= 2L * nodes.size(),
        "old incarnation replays: " + dropped);
    assertEquals(malformed, dropped.getOrDefault("malformed", 0L), "malformed: " + dropped);
    assertTrue(rejected.getOrDefault("IMPLAUSIBLE_TERM", 0L) >= 6, "absurd terms: " + rejected);
    assertTrue(rejected.getOrDefault("FOREIGN_LINEAGE", 0L) >= 1, "foreign lineage: " + rejected);
    // TLS refusals, counted on the refusing nodes: the other CA's certificate and the non-TLS
    // junk fail the handshake, the other cluster's certificate fails the peer check.
    Map<String, Long> tls = new HashMap<>();
    for (ActorSystem<Void> n : nodes) {
      RegentMetrics.get(n).tlsConnectionsRefusedByKind().forEach((k, v) -> tls.merge(k, v,
          Long::sum));
    }
    System.out.println("MEASURED hostile peers: TLS connections refused by kind " + tls);
    assertTrue(tls.getOrDefault("handshake", 0L) >= nodes.size() + 1L, "handshakes: " + tls);
    assertTrue(tls.getOrDefault("peer-verification", 0L) >= 1L, "peer checks: " + tls);
    // Logged: a (rate-limited) warning for each kind.
    List<String> warnings = logs.list.stream()
        .filter(e -> e.getLoggerName().startsWith("dev.regent.toolkit"))
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(ILoggingEvent::getFormattedMessage).toList();
    for (String expected : List.of("not a cluster member", "another incarnation", "malformed",
        "its term is more than", "belongs to lineage", "failed in the handshake and was not admitted",
        "Refused an inbound TLS peer")) {
      assertTrue(warnings.stream().anyMatch(w -> w.contains(expected)),
          "a warning containing '" + expected + "' in " + warnings);
    }
    long tlsRefusals = logs.list.stream()
        .filter(e -> e.getLoggerName().startsWith("org.apache.pekko"))
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("SSL") || m.contains("certificate") || m.contains("subject names")
            || m.contains("handshake") || m.contains("magic"))
        .count();
    System.out.println("MEASURED hostile peers: Pekko log lines on refused TLS/framing: "
        + tlsRefusals);

    // Control 1: the same forged channel with a plausible next term does change the follower's
    // state: the absurd terms above were refused by the core's checks, not lost on the way.
    var targetBefore = observe(List.of(target));
    electionActor(resolver, target).tell(new PeerEnvelope(leaderAddress.toString(), leaderUid,
        new ElectionEnvelope(targetName, new ElectionMessage.Heartbeat(term + 1, leaderId,
            lineage, System.nanoTime(), ts.config(), 1_000_000_000L))));
    Await.until(Duration.ofSeconds(10), () -> "the plausible forged heartbeat moved the"
        + " follower's term", () -> !observe(List.of(target)).equals(targetBefore));

    // Control 2: without untrusted mode, the same PoisonPill stops a node's election actor.
    ActorSystem<Void> trusting = hostile("regent", 0,
        TestPki.artery("\"" + certDir(ca, "trusting", List.of(CLUSTER)).toAbsolutePath() + "\"",
            Duration.ofSeconds(1)), TIMINGS);
    var electionRef = ElectionRuntime.get(trusting).electionActor();
    var stopped = new CompletableFuture<Boolean>();
    trusting.systemActorOf(Behaviors.setup(ctx -> {
      ctx.watch(electionRef);
      return Behaviors.receiveSignal((c, s) -> {
        if (s instanceof Terminated) {
          stopped.complete(true);
        }
        return Behaviors.same();
      });
    }), "watch-election", org.apache.pekko.actor.typed.Props.empty());
    Adapter.toClassic(electionActor(resolver, trusting)).tell(PoisonPill.getInstance(),
        org.apache.pekko.actor.ActorRef.noSender());
    assertTrue(stopped.get(30, TimeUnit.SECONDS),
        "a PoisonPill stops the election actor when untrusted mode is off");
  }

  /**
   * Why the documented {@code trusted-selection-paths} are needed: in untrusted mode without them
   * a node cannot even join (Pekko's join and gossip are actor selections), while the main test's
   * cluster runs with them.
   */
  @Test
  void untrustedModeWithoutTheClusterPathsCannotFormACluster() {
    cluster = new TestCluster(tmp.resolve("state"));
    String untrustedNoPaths = """
        pekko.remote.artery.untrusted-mode = on
        pekko.remote.artery.trusted-selection-paths = []
        """;
    ActorSystem<Void> first = cluster.startNode(0, untrustedNoPaths);
    Await.until(WAIT, () -> "the first node Up by itself",
        () -> Cluster.get(first).selfMember().status() == MemberStatus.up());
    ActorSystem<Void> second = cluster.startNode(0, untrustedNoPaths);
    Await.holds(Duration.ofSeconds(6), Duration.ofMillis(100),
        "the second node stays outside: its join is an actor selection the first node drops",
        () -> TestCluster.members(first).size() == 1
            && Cluster.get(second).selfMember().status() != MemberStatus.up());
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private ActorSystem<Void> hostile(String systemName, int port, String tls, String extra) {
    Config c = ConfigFactory.parseString(tls + "\n" + extra)
        .withFallback(TestCluster.config(port == 0 ? Ports.freePort() : port,
            tmp.resolve("hostile-state"), ""));
    ActorSystem<Void> s = ActorSystem.create(Behaviors.empty(), systemName, c);
    hostiles.add(s);
    return s;
  }

  private static ActorRef<Object> electionActor(ActorRefResolver resolver, ActorSystem<?> node) {
    return resolver.resolveActorRef(TestCluster.addressOf(node) + ElectionRuntime.ACTOR_PATH);
  }

  private static List<Object> observe(List<ActorSystem<Void>> nodes) {
    return nodes.stream().map(n -> (Object) List.of(
        HostileInputCore.Observed.of(ElectionRuntime.get(n).lastState().orElseThrow()),
        RegentElection.get(n).current().leader().map(Object::toString).orElse("none")))
        .toList();
  }

  private static List<String> members(List<ActorSystem<Void>> nodes) {
    return nodes.stream().map(n -> StreamSupport.stream(
            Cluster.get(n).state().getMembers().spliterator(), false)
        .map(Member::uniqueAddress).map(Object::toString).sorted()
        .collect(Collectors.joining(","))).toList();
  }

  private static long restarts(List<ActorSystem<Void>> nodes) {
    return nodes.stream().mapToLong(n -> ElectionRuntime.get(n).restartCount()).sum();
  }

  private static void rawGarbage(int port, Random random, int bytes) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(5000);
      writeJunk(s.getOutputStream(), random, bytes);
      drain(s.getInputStream());
    } catch (IOException expected) {
      // The peer may reset the connection while the junk is still being written.
    }
  }

  /** A TLS connection with this cluster's certificate, then {@code header} and junk. */
  private void tlsGarbage(int port, byte[] header, Random random, int bytes) throws IOException {
    tlsGarbage(port, probeCert, header, random, bytes, false);
  }

  /** As above with {@code cert}; {@code awaitClose}: then read until the node closes (max 5 s). */
  private void tlsGarbage(int port, TestPki.Issued cert, byte[] header, Random random, int bytes,
      boolean awaitClose) throws IOException {
    try (SSLSocket s = (SSLSocket) TlsProbe.context(ca, cert).getSocketFactory()
        .createSocket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.startHandshake();
      s.getOutputStream().write(header);
      writeJunk(s.getOutputStream(), random, bytes);
      s.getOutputStream().flush();
      if (awaitClose) {
        drain(s.getInputStream());
      }
    } catch (IOException expected) {
      // Closed by the node once it saw the junk.
    }
  }

  private static void oversizedHttp(int port, int bytes) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write("GET /status?".getBytes(StandardCharsets.US_ASCII));
      byte[] a = new byte[8192];
      java.util.Arrays.fill(a, (byte) 'a');
      for (int i = 0; i < bytes / a.length; i++) {
        out.write(a);
      }
      out.write(" HTTP/1.1\r\nHost: x\r\nX-Big: ".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < bytes / a.length; i++) {
        out.write(a);
      }
      out.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      drain(s.getInputStream());
    } catch (IOException expected) {
      // Refused or reset: fine, as long as the endpoint survives.
    }
  }

  private static void writeJunk(OutputStream out, Random random, int bytes) throws IOException {
    byte[] buf = new byte[8192];
    for (int sent = 0; sent < bytes; sent += buf.length) {
      random.nextBytes(buf);
      out.write(buf, 0, Math.min(buf.length, bytes - sent));
    }
    out.flush();
  }

  private static void drain(InputStream in) {
    try {
      byte[] b = new byte[4096];
      while (in.read(b) >= 0) {
        // until the peer closes or the read times out
      }
    } catch (IOException e) {
      // timeout or reset
    }
  }

  private static byte[] intLe(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  private static byte[] concat(byte[]... parts) {
    var out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
