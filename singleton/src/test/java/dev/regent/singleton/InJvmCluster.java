package dev.regent.singleton;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.internal.election.ElectionRuntime;
import dev.regent.toolkit.leadership.RegentElection;
import dev.regent.toolkit.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.setup.ActorSystemSetup;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Several cluster ActorSystems in this JVM on loopback Artery TCP, each with its own state
 * directory. Uses the {@link InJvmElection} stand-in when given one, else RegentElection.
 */
final class InJvmCluster implements AutoCloseable {

  static final String SYSTEM_NAME = "regent";

  private final Path stateRoot;
  private final Optional<InJvmElection> fake;
  private final Config extra;
  private final List<ActorSystem<Void>> nodes = new ArrayList<>();
  private int started;

  InJvmCluster(Path stateRoot, Optional<InJvmElection> fake, Config extra) {
    this.stateRoot = stateRoot;
    this.fake = fake;
    this.extra = extra;
  }

  static Config baseConfig(Path stateDirectory) {
    return ConfigFactory.parseString("""
        pekko.loglevel = INFO
        pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
        pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
        pekko.actor.provider = cluster
        pekko.actor.allow-java-serialization = off
        pekko.actor.warn-about-java-serializer-usage = on
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = 0
        pekko.remote.artery.advanced.test-mode = on
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        pekko.cluster.gossip-interval = 200ms
        pekko.cluster.leader-actions-interval = 200ms
        pekko.cluster.failure-detector.heartbeat-interval = 200ms
        pekko.cluster.failure-detector.acceptable-heartbeat-pause = 1s
        pekko.cluster.seed-node-timeout = 1s
        pekko.cluster.log-info = off
        pekko.coordinated-shutdown.run-by-actor-system-terminate = off
        pekko.coordinated-shutdown.terminate-actor-system = on
        """).withFallback(ConfigFactory.parseMap(java.util.Map.of(
            "regent.election.state-directory", stateDirectory.toString())));
  }

  /** Starts a node and joins it to the first live node (the first node joins itself). */
  synchronized ActorSystem<Void> start() {
    return start(ConfigFactory.empty());
  }

  /** Like {@link #start()} with configuration for this node only. */
  synchronized ActorSystem<Void> start(Config nodeConfig) {
    Config config = nodeConfig.withFallback(extra)
        .withFallback(baseConfig(stateRoot.resolve("node-" + started++)))
        .withFallback(ConfigFactory.load());
    ActorSystemSetup setup = ActorSystemSetup.create(BootstrapSetup.create(config));
    if (fake.isPresent()) {
      setup = setup.and(ClusterSingleton.setup(fake.get()::register));
    }
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, setup);
    if (fake.isEmpty()) {
      // Start the election before joining, so the node takes part as soon as it is Up.
      RegentElection.get(system);
    }
    Address seed = live().stream().findFirst()
        .map(s -> Cluster.get(s).selfMember().address())
        .orElse(Cluster.get(system).selfMember().address());
    Cluster.get(system).manager().tell(Join.create(seed));
    nodes.add(system);
    return system;
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

  synchronized List<ActorSystem<Void>> live() {
    return nodes.stream().filter(s -> !s.whenTerminated().isCompleted()).toList();
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
  public synchronized void close() {
    for (ActorSystem<Void> s : nodes) {
      s.terminate();
    }
    for (ActorSystem<Void> s : nodes) {
      try {
        s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("node did not terminate: " + s, e);
      }
    }
    fake.ifPresent(InJvmElection::close);
  }
}
