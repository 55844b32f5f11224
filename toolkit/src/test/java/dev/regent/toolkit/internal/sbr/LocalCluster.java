package dev.regent.toolkit.internal.sbr;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.sbr.RegentDowningProvider;
import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.Blackhole;
import dev.regent.toolkit.testkit.Ports;
import dev.regent.toolkit.testkit.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * Several cluster nodes (real ActorSystems on loopback Artery TCP) in this JVM, with fast failure
 * detection, Artery test mode for {@link Blackhole}, and Regent's downing provider: the test kit's
 * {@link TestCluster} configured for the split-brain resolver's tests, seen through the classic
 * API and addressed by index. No election runs on these nodes.
 */
final class LocalCluster implements AutoCloseable {

  static final String SYSTEM = TestCluster.SYSTEM_NAME;

  /** Where an election would keep its state (none runs on these nodes). */
  private static final Path STATE = Path.of("target", "sbr-state");

  /** What the split-brain resolver's tests run with, over the test kit's defaults. */
  private static final Config SBR_DEFAULTS = ConfigFactory.parseString(String.join("\n",
      "pekko.cluster.downing-provider-class = dev.regent.toolkit.sbr.RegentDowningProvider",
      "pekko.cluster.unreachable-nodes-reaper-interval = 200ms",
      "pekko.cluster.periodic-tasks-initial-delay = 200ms",
      "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
      "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
      "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
      "pekko.loglevel = INFO",
      "regent.split-brain-resolver.stable-after = 1s"));

  private final TestCluster cluster = new TestCluster(STATE).withConfig(SBR_DEFAULTS)
      .withElection(false);
  private final List<ActorSystem> systems = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();

  LocalCluster(int nodes) {
    for (int i = 0; i < nodes; i++) {
      ports.add(Ports.freePort());
    }
  }

  /** The address of node {@code i}, e.g. for a referee, before the node is started. */
  String address(int i) {
    return "pekko://" + SYSTEM + "@127.0.0.1:" + ports.get(i);
  }

  /** A node's configuration: {@code extra} over the split-brain defaults over the test kit's. */
  static Config nodeConfig(int port, Config extra) {
    return extra.withFallback(SBR_DEFAULTS).withFallback(TestCluster.config(port, STATE, ""));
  }

  /**
   * Starts every node with {@code extraConfig} on top of the test defaults; node 0 first (so it is
   * the oldest), then the others join it.
   */
  void start(String extraConfig) {
    Config extra = ConfigFactory.parseString(extraConfig);
    for (int i = 0; i < ports.size(); i++) {
      systems.add(cluster.startSystem(ports.get(i), "", extra).classicSystem());
    }
    Cluster first = Cluster.get(systems.get(0));
    first.join(first.selfAddress());
    Await.until(Duration.ofSeconds(30), "node 0 Up", () -> upMembers(0) == 1);
    for (int i = 1; i < systems.size(); i++) {
      Cluster.get(systems.get(i)).join(first.selfAddress());
    }
    for (int i = 0; i < systems.size(); i++) {
      int n = i;
      Await.until(Duration.ofSeconds(60),
          "node " + n + " sees " + systems.size() + " members Up",
          () -> upMembers(n) == systems.size());
    }
  }

  /**
   * Node {@code i} disappears without a word, as after a SIGKILL: cut off from every other node by
   * the blackhole, then terminated (its leave cannot get out); then the others' blackhole toward its
   * address is lifted, so that a new incarnation at that address reaches them. The old incarnation
   * stays a member until a resolver or a new incarnation's join downs it.
   */
  void crash(int i, Duration timeout) {
    ActorSystem old = systems.get(i);
    List<ActorSystem> others = new ArrayList<>(systems);
    others.remove(old);
    others.removeIf(s -> s.whenTerminated().isCompleted());
    Blackhole.partition(others, List.of(old));
    old.terminate();
    Await.until(timeout, "node " + i + " terminated", () -> terminated(i));
    Address address = Cluster.get(old).selfAddress();
    for (ActorSystem o : others) {
      Blackhole.set(o, address, false);
    }
  }

  /**
   * Starts a new incarnation of node {@code i} at its port with {@code extraConfig}, joining by
   * itself through the seed nodes {@code seeds} (as a restarted process configured with
   * {@code pekko.cluster.seed-nodes} does).
   */
  ActorSystem restart(int i, String extraConfig, int... seeds) {
    List<String> seedList = new ArrayList<>();
    for (int s : seeds) {
      seedList.add("\"" + address(s) + "\"");
    }
    Config extra = ConfigFactory.parseString("pekko.cluster.seed-nodes = ["
        + String.join(",", seedList) + "]\n" + extraConfig);
    ActorSystem system = cluster.startSystem(ports.get(i), "", extra).classicSystem();
    systems.set(i, system);
    return system;
  }

  ActorSystem node(int i) {
    return systems.get(i);
  }

  List<ActorSystem> nodes(int... indexes) {
    List<ActorSystem> out = new ArrayList<>();
    for (int i : indexes) {
      out.add(systems.get(i));
    }
    return out;
  }

  int upMembers(int i) {
    Iterable<Member> ms = Cluster.get(systems.get(i)).state().getMembers();
    return (int) StreamSupport.stream(ms.spliterator(), false)
        .filter(m -> m.status().equals(MemberStatus.up()))
        .count();
  }

  int members(int i) {
    Iterable<Member> ms = Cluster.get(systems.get(i)).state().getMembers();
    return (int) StreamSupport.stream(ms.spliterator(), false).count();
  }

  boolean terminated(int i) {
    return systems.get(i).whenTerminated().isCompleted();
  }

  /** Waits until nodes {@code gone} have terminated and {@code kept} see exactly themselves Up. */
  void awaitOutcome(int[] kept, int[] gone, Duration timeout) {
    for (int i : gone) {
      Await.until(timeout, "node " + i + " downed and terminated", () -> terminated(i));
    }
    for (int i : kept) {
      Await.until(timeout,
          "node " + i + " kept, seeing exactly the " + kept.length + " kept members",
          () -> !terminated(i) && members(i) == kept.length && upMembers(i) == kept.length);
    }
    for (int i : kept) {
      if (terminated(i)) {
        throw new AssertionError("node " + i + " should have been kept but terminated");
      }
    }
  }

  @Override
  public void close() {
    cluster.close();
    systems.clear();
  }
}
