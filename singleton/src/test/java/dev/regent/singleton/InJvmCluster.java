package dev.regent.singleton;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.internal.shell.ElectionRuntime;
import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Several cluster ActorSystems in this JVM on loopback Artery TCP, each with its own state
 * directory: the test kit's {@link TestCluster} configured for the singleton's tests. Uses the
 * {@link InJvmElection} stand-in when given one, else RegentElection. A plain {@code terminate()}
 * of a node is a crash here: CoordinatedShutdown does not run on it.
 */
final class InJvmCluster implements AutoCloseable {

  static final String SYSTEM_NAME = TestCluster.SYSTEM_NAME;

  /** What the singleton's tests run with, over the test kit's defaults. */
  private static final Config SINGLETON_DEFAULTS = ConfigFactory.parseString("""
      pekko.loglevel = INFO
      pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
      pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
      pekko.actor.warn-about-java-serializer-usage = on
      pekko.cluster.seed-node-timeout = 1s
      pekko.cluster.log-info = off
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.coordinated-shutdown.terminate-actor-system = on
      """);

  private final Path stateRoot;
  private final Optional<InJvmElection> fake;
  private final TestCluster cluster;
  private int started;

  InJvmCluster(Path stateRoot, Optional<InJvmElection> fake, Config extra) {
    this.stateRoot = stateRoot;
    this.fake = fake;
    this.cluster = new TestCluster(stateRoot)
        .withConfig(extra.withFallback(SINGLETON_DEFAULTS))
        .withSetup(setup -> fake.map(f -> setup.and(ClusterSingleton.setup(f::register)))
            .orElse(setup))
        .withElection(fake.isEmpty());
  }

  /** Starts a node and joins it to the first live node (the first node joins itself). */
  synchronized ActorSystem<Void> start() {
    return start(ConfigFactory.empty());
  }

  /** Like {@link #start()} with configuration for this node only. */
  synchronized ActorSystem<Void> start(Config nodeConfig) {
    Path stateDirectory = stateRoot.resolve("node-" + started++);
    return cluster.startNode(0, "", nodeConfig.withFallback(ConfigFactory.parseMap(
        Map.of("regent.election.state-directory", stateDirectory.toString()))));
  }

  /** Starts {@code n} nodes and waits until all see each other Up. */
  List<ActorSystem<Void>> startUp(int n) {
    List<ActorSystem<Void>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(start());
    }
    awaitAllUp();
    return out;
  }

  void awaitAllUp() {
    List<ActorSystem<Void>> live = live();
    Await.until(Duration.ofSeconds(30), "all " + live.size() + " nodes Up", () -> live.stream()
        .allMatch(s -> {
          var members = Cluster.get(s).state().getMembers();
          int up = 0;
          for (var m : members) {
            if (m.status() == MemberStatus.up()) {
              up++;
            }
          }
          return up >= live.size();
        }));
  }

  /**
   * Waits until every live node's election uses exactly the live nodes as voters (after joins
   * and downings the configuration changes one voter at a time). Real election only.
   */
  void awaitVoters() {
    List<ActorSystem<Void>> live = live();
    var expected = live.stream().map(s -> RegentElection.get(s).selfId())
        .collect(Collectors.toCollection(TreeSet::new));
    Await.until(Duration.ofSeconds(30), () -> " voters " + expected + ", have " + live.stream()
        .map(s -> ElectionRuntime.get(s).voterConfig()).toList(), () -> live.stream()
        .allMatch(s -> ElectionRuntime.get(s).voterConfig().voters().equals(expected)));
  }

  /**
   * Waits until every live node knows the same leader in the same term and that leader holds its
   * lease: the steady state a measurement should start from. Real election only.
   */
  void awaitAgreedLeader() {
    List<ActorSystem<Void>> live = live();
    Await.until(Duration.ofSeconds(30), () -> " agreed leader, views " + live.stream()
        .map(s -> RegentElection.get(s).current()).toList(), () -> {
          var views = live.stream().map(s -> RegentElection.get(s).current()).toList();
          var leader = views.stream().filter(v -> v.holdsLease()).findFirst();
          return leader.isPresent() && views.stream().allMatch(v -> v.term() == leader.get().term()
              && v.leader().equals(Optional.of(leader.get().self())));
        });
  }

  List<ActorSystem<Void>> live() {
    return cluster.started().stream().filter(s -> !s.whenTerminated().isCompleted()).toList();
  }

  static String nodeName(ActorSystem<?> system) {
    Address a = Cluster.get(system).selfMember().address();
    return a.host().get() + "-" + a.port().get();
  }

  /** The live node named {@code name} (as {@link InstanceRecorder} records it). */
  ActorSystem<Void> byName(String name) {
    return live().stream().filter(s -> nodeName(s).equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no live node " + name));
  }

  @Override
  public void close() {
    try {
      cluster.close();
    } finally {
      fake.ifPresent(InJvmElection::close);
    }
  }
}
