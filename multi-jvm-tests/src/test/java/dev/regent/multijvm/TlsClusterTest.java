package dev.regent.multijvm;

import static dev.regent.multijvm.Singletons.awaitExactlyOne;
import static dev.regent.multijvm.Singletons.awaitFirst;
import static dev.regent.multijvm.Singletons.awaitNewer;
import static dev.regent.multijvm.Singletons.millisBetween;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.regent.multijvm.harness.HistoryEvent.FaultKind;
import dev.regent.multijvm.harness.HistoryEvent.SingletonStarted;
import dev.regent.multijvm.harness.LeadershipReporter;
import dev.regent.multijvm.harness.MultiJvmCluster;
import dev.regent.multijvm.harness.TestPki;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Regent on three node JVMs whose Artery runs over TLS with mutual authentication
 * ({@code tls-tcp}, Pekko's {@code RotatingKeysSSLEngineProvider}, certificates from a test CA made
 * by {@link TestPki}) and in untrusted mode, against the same cluster in plaintext:
 * <ul>
 *   <li>idle CPU of the three nodes over the same window, TLS and plaintext;
 *   <li>every node's key and certificate replaced while the cluster runs its election: every node
 *       then serves the new certificate on new connections, and no node's term or leader changes;
 *   <li>the leader killed (SIGKILL): a new singleton elsewhere, restart of the killed node (all its
 *       connections new, with the rotated certificates), the history checker over the whole run.
 * </ul>
 * Prints {@code MEASURED tls failover}, {@code MEASURED plaintext failover} and
 * {@code MEASURED idle cpu tls/plaintext}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsClusterTest {

  private static final Duration UP = Duration.ofSeconds(90);
  /** How long idle CPU is measured. */
  private static final Duration IDLE = Duration.ofSeconds(10);
  /** The provider's SSLContext cache: new files are used by new connections within this. */
  private static final Duration CACHE_TTL = Duration.ofSeconds(1);
  /** The DNS name every node certificate of this cluster carries (the peer check's identity). */
  static final String CLUSTER_NAME = "regent-test-cluster.invalid";

  /**
   * Untrusted mode and the actor-selection paths a Regent cluster needs in it (docs/TLS.md): the
   * cluster's gossip and joins, its failure detector, Regent's split-brain resolver (fast rejoin).
   * The election and the singleton send to resolved actor references, which untrusted mode lets
   * through.
   */
  static final String UNTRUSTED = """
      pekko.remote.artery.untrusted-mode = on
      pekko.remote.artery.trusted-selection-paths = [
        "/system/cluster/core/daemon",
        "/system/cluster/heartbeatReceiver",
        "/system/cluster/core/daemon/downingProvider"
      ]
      """;

  /**
   * The failure suite's configuration with more patience in the failure detector and the
   * split-brain resolver: on a machine loaded far beyond its cores (load average 40 on 2 cores) a
   * node starting with TLS took 27 s to create its actor system and was downed while it was
   * still joining. Only membership uses these; the failover measured here is the election's.
   */
  static final String CONFIG = FencedCounterSetup.CONFIG + """
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 6s
      regent.split-brain-resolver.stable-after = 7s
      """;

  private static final Map<String, Double> idleCpu = new TreeMap<>();
  private static final Map<String, Long> failover = new TreeMap<>();

  @Test
  @Order(1)
  void tlsRotationAndLeaderCrash() throws Exception {
    Path pki = Path.of(System.getProperty("basedir", "."), "target", "tls", "TlsClusterTest");
    TlsProbe.deleteRecursively(pki);
    Files.createDirectories(pki);
    TestPki ca = TestPki.newCa("Regent test CA");
    int n = 3;
    List<TestPki.Issued> first = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      first.add(ca.issue("node-" + i, List.of(CLUSTER_NAME)));
      ca.install(pki.resolve("node-" + i), first.get(i));
    }
    String config = CONFIG + UNTRUSTED
        + TestPki.artery("\"" + pki.toAbsolutePath() + "/node-\"${regent.harness.node-index}",
            CACHE_TTL);
    TestPki.Issued probeCert = ca.issue("test-probe", List.of(CLUSTER_NAME));
    try (var c = MultiJvmCluster.builder("tls-rotation-and-leader-crash").nodes(n)
        .setup(TlsCounterSetup.class).config(config).start()) {
      c.awaitAllUp(UP);
      awaitFirst(c);
      for (int i = 0; i < n; i++) {
        assertEquals(first.get(i).certificate().getSerialNumber(),
            TlsProbe.servedSerial(c.address(i), ca, probeCert), "node " + i + " serves its cert");
      }
      idleCpu.put("tls", idleCpuPercent(c));
      // The incarnation running now: on a loaded machine the leader may have changed meanwhile.
      SingletonStarted leader = awaitExactlyOne(c, "before the rotation");

      // Rotation while the election runs: every node's key and certificate replaced.
      Map<Integer, String> terms = probes(c, LeadershipReporter.TERM);
      Map<Integer, String> leaders = probes(c, LeadershipReporter.LEADER);
      List<BigInteger> rotated = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        TestPki.Issued next = ca.issue("node-" + i, List.of(CLUSTER_NAME));
        assertNotEquals(first.get(i).certificate().getSerialNumber(),
            next.certificate().getSerialNumber());
        ca.install(pki.resolve("node-" + i), next);
        rotated.add(next.certificate().getSerialNumber());
      }
      long rotatedAt = System.nanoTime();
      c.awaitCondition("every node serves its rotated certificate to new connections",
          Duration.ofSeconds(30), () -> IntStream.range(0, n).allMatch(i ->
              rotated.get(i).equals(TlsProbe.servedSerial(c.address(i), ca, probeCert))));
      System.out.println("MEASURED tls rotation: files replaced -> every node serves the new"
          + " certificate: " + millisBetween(rotatedAt, System.nanoTime()) + " ms (cache ttl "
          + CACHE_TTL.toMillis() + " ms)");
      // The rotation must not disturb the election: same term and leader everywhere, same
      // singleton incarnation, for several cache periods after the files changed.
      c.assertDuring("no term or leader change after the certificate rotation",
          Duration.ofSeconds(4), () -> probes(c, LeadershipReporter.TERM).equals(terms)
              && probes(c, LeadershipReporter.LEADER).equals(leaders)
              && Singletons.running(c).map(s -> s.pid() == leader.pid()
                  && s.token() == leader.token()).orElse(false));

      c.crash(leader.node());
      SingletonStarted next = awaitNewer(c, leader);
      long ms = millisBetween(FailureSuiteTest.lastFaultNanos(c, FaultKind.CRASH), next.nanos());
      failover.put("tls", ms);
      System.out.println("MEASURED tls failover: leader crash (SIGKILL) -> new singleton started: "
          + ms + " ms");
      // The restarted node opens every connection anew, with the rotated certificates only.
      c.restart(leader.node());
      c.awaitAllUp(UP);
      Singletons.awaitVoters(c, n);
      assertEquals(rotated.get(leader.node()),
          TlsProbe.servedSerial(c.address(leader.node()), ca, probeCert));
      // No node refused a TLS connection at any time: not during the rotation, not from the node
      // that came back with its rotated certificate (the test's own probes are accepted).
      assertEquals(Map.of(0, "0", 1, "0", 2, "0"), probes(c, TlsCounterSetup.TLS_REFUSED),
          "TLS connections refused per node");
      FailureSuiteTest.check(c.history());
    }
  }

  @Test
  @Order(2)
  void plaintextBaseline() {
    try (var c = MultiJvmCluster.builder("plaintext-baseline").nodes(3)
        .setup(FencedCounterSetup.class).config(CONFIG).start()) {
      c.awaitAllUp(UP);
      awaitFirst(c);
      idleCpu.put("plaintext", idleCpuPercent(c));
      // The incarnation running now: on a loaded machine the leader may have changed meanwhile.
      SingletonStarted leader = awaitExactlyOne(c, "before the crash");
      c.crash(leader.node());
      SingletonStarted next = awaitNewer(c, leader);
      long ms = millisBetween(FailureSuiteTest.lastFaultNanos(c, FaultKind.CRASH), next.nanos());
      failover.put("plaintext", ms);
      System.out.println("MEASURED plaintext failover: leader crash (SIGKILL) -> new singleton"
          + " started: " + ms + " ms");
      FailureSuiteTest.check(c.history());
    }
  }

  @AfterAll
  static void report() {
    if (idleCpu.containsKey("tls") && idleCpu.containsKey("plaintext")) {
      System.out.printf("MEASURED idle cpu tls/plaintext: %.1f %% / %.1f %% of one core (3 node"
              + " JVMs together, %d s, election heartbeats and a fenced counter singleton writing"
              + " every 50 ms)%n", idleCpu.get("tls"), idleCpu.get("plaintext"),
          IDLE.toSeconds());
    }
    if (failover.size() == 2) {
      System.out.println("MEASURED failover tls/plaintext: " + failover.get("tls") + " ms / "
          + failover.get("plaintext") + " ms");
    }
  }

  /** The CPU time of all running nodes over {@link #IDLE}, as a percentage of one core. */
  private static double idleCpuPercent(MultiJvmCluster c) {
    // Let the start-up's JIT and the voter changes settle first.
    long settleUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    c.awaitCondition("settled", Duration.ofSeconds(10), () -> System.nanoTime() >= settleUntil);
    long before = cpuNanos(c);
    long start = System.nanoTime();
    long end = start + IDLE.toNanos();
    c.awaitCondition("idle window", IDLE.plusSeconds(10), () -> System.nanoTime() >= end);
    long after = cpuNanos(c);
    return 100.0 * (after - before) / (System.nanoTime() - start);
  }

  private static long cpuNanos(MultiJvmCluster c) {
    long sum = 0;
    for (int i = 0; i < c.size(); i++) {
      sum += ProcessHandle.of(c.pid(i)).flatMap(p -> p.info().totalCpuDuration())
          .orElseThrow(() -> new AssertionError("no CPU time readable for a node")).toNanos();
    }
    return sum;
  }

  private static Map<Integer, String> probes(MultiJvmCluster c, String probe) {
    var m = new TreeMap<Integer, String>();
    for (int i = 0; i < c.size(); i++) {
      if (c.isAlive(i)) {
        m.put(i, c.probe(i, probe));
      }
    }
    return m;
  }
}
