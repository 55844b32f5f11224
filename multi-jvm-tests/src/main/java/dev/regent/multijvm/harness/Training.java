package dev.regent.multijvm.harness;

import dev.regent.toolkit.testkit.Ports;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.regent.singleton.ClusterSingleton;
import dev.regent.singleton.SingletonActor;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;

/**
 * The AppCDS training run ({@code NodeMain --train}): the classes it loads are the classes the
 * archive holds. A node of a test loads much more than a cluster of one: Artery's outbound
 * streams and handshake, the join protocol on both sides (InitJoin, Join, Welcome, gossip,
 * heartbeats), the protobuf and Jackson (CBOR) serializers, and, in the failure suite, Regent's
 * election, singleton and split-brain resolver. So this runs two actor systems in one JVM: the
 * first forms a cluster, the second joins it; both run {@link LeadershipReporter} and a fenced
 * Regent singleton with Regent's downing provider, and the run waits until both are Up, a
 * singleton started and the joiner learned the leader over the wire. Then the joiner leaves
 * gracefully (the leave path), both systems terminate, and the JVM exits with status 0 (the archive
 * is written at exit). Exits with {@value NodeMain#EXIT_SETUP_FAILED} if it does not get there
 * within 60 s.
 */
final class Training {

  private Training() {}

  static void run(int port, Path dir) throws Exception {
    int port2 = Ports.freePort();
    String seed = "127.0.0.1:" + port;
    var up = new CountDownLatch(2);
    var singletonStarted = new CountDownLatch(1);
    var a = start(0, port, seed, dir, up, singletonStarted);
    var b = start(1, port2, seed, dir, up, singletonStarted);
    var electionB = dev.regent.toolkit.RegentElection.get(b);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean ok = up.await(60, TimeUnit.SECONDS) && singletonStarted.await(remaining(deadline),
        TimeUnit.NANOSECONDS);
    while (ok && electionB.current().leader().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    ok = ok && electionB.current().leader().isPresent();
    System.out.println("REGENT-TRAINING " + (ok ? "done" : "timed out"));
    System.out.flush();
    if (!ok) {
      Runtime.getRuntime().halt(NodeMain.EXIT_SETUP_FAILED);
    }
    CoordinatedShutdown.get(Adapter.toClassic(b)).runAll(CoordinatedShutdown.clusterLeavingReason())
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    a.terminate();
    a.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    System.exit(0);
  }

  private static ActorSystem<Void> start(int index, int port, String seed, Path dir,
      CountDownLatch up, CountDownLatch singletonStarted) throws Exception {
    Path nodeDir = dir.resolve("node-" + index);
    Config training = ConfigFactory.parseString(String.join("\n",
        "pekko.coordinated-shutdown.exit-jvm = off",
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
        "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
        "pekko.cluster.downing-provider-class = \"dev.regent.toolkit.sbr.RegentDowningProvider\""));
    Config config = training.withFallback(
        NodeMain.config(Map.of(), port, List.of(seed), nodeDir.resolve(NodeMain.STATE_DIR)));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeMain.SYSTEM_NAME, config);
    Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(up::countDown);
    var history = new HistoryRecorder(nodeDir.resolve(NodeMain.EVENTS_FILE), index);
    var ctx = new NodeContext(index, system, nodeDir.resolve(NodeMain.STATE_DIR), history,
        new FencedResourceClient(0, index), new java.util.concurrent.ConcurrentHashMap<>());
    LeadershipReporter.start(ctx);
    ClusterSingleton.get(system).init(SingletonActor.<String>ofFenced(sc -> Behaviors.setup(c -> {
      history.singletonStarted(sc.fencingToken());
      singletonStarted.countDown();
      return Behaviors.<String>receiveMessage(m -> Behaviors.stopped());
    }), "training").withStopMessage("stop"));
    return system;
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

}
