package dev.regent.toolkit.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.internal.election.Role;
import dev.regent.toolkit.internal.shell.ElectionRuntime;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.NodeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.setup.ActorSystemSetup;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Real actor systems on loopback Artery TCP in this JVM, each with its election state in its own
 * directory under {@code stateRoot}. Close it (in {@code @AfterEach}) to terminate every system.
 *
 * <p>The one in-JVM cluster builder of the tests: the split-brain resolver's tests and the
 * singleton's tests configure it ({@link #withConfig}, {@link #withSetup}, {@link #withElection})
 * rather than building systems of their own.
 */
public final class TestCluster implements AutoCloseable {

  /** How long CoordinatedShutdown's phases may take, until remoting shuts down. */
  private static final Duration TERMINATION_TIMEOUT = Duration.ofSeconds(60);
  /** As Pekko's later {@code shutdown-streams-timeout} (see {@link StalledRemotingShutdown}). */
  private static final Duration STREAMS_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  public static final String SYSTEM_NAME = "regent";

  private final Path stateRoot;
  private final List<ActorSystem<Void>> live = new ArrayList<>();
  private final List<ActorSystem<Void>> started = new ArrayList<>();

  private Config overlay = ConfigFactory.empty();
  private UnaryOperator<ActorSystemSetup> setup = UnaryOperator.identity();
  private boolean startElection = true;

  public TestCluster(Path stateRoot) {
    this.stateRoot = stateRoot;
  }

  /** Configuration for every node, over the test defaults of {@link #config}. */
  public TestCluster withConfig(Config overlay) {
    this.overlay = overlay;
    return this;
  }

  /** Adds to every node's actor system setup (e.g. a stand-in election for the singleton). */
  public TestCluster withSetup(UnaryOperator<ActorSystemSetup> setup) {
    this.setup = setup;
    return this;
  }

  /** Whether {@link #startNode} starts RegentElection before joining (default true). */
  public TestCluster withElection(boolean on) {
    this.startElection = on;
    return this;
  }

  /** Test configuration: short gossip and failure-detector settings, test-mode on. */
  public static Config config(int port, Path stateDir, String extra) {
    return ConfigFactory.parseString(extra + "\n" + """
        pekko.loglevel = WARNING
        pekko.actor.provider = cluster
        pekko.actor.allow-java-serialization = off
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = %d
        pekko.remote.artery.advanced.test-mode = on
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        pekko.cluster.gossip-interval = 200ms
        pekko.cluster.leader-actions-interval = 200ms
        pekko.cluster.failure-detector.heartbeat-interval = 200ms
        pekko.cluster.failure-detector.acceptable-heartbeat-pause = 1s
        pekko.coordinated-shutdown.phases.cluster-leave.timeout = 2s
        pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 2s
        pekko.coordinated-shutdown.phases.cluster-shutdown.timeout = 2s
        regent.election.state-directory = "%s"
        """.formatted(port, stateDir.toString().replace("\\", "/")))
        .withFallback(ConfigFactory.load());
  }


  public Path stateRoot() {
    return stateRoot;
  }

  /** Starts a system (not yet joined) on {@code port} (0 = any). */
  public ActorSystem<Void> startSystem(int port, String extra) {
    return startSystem(port, extra, ConfigFactory.empty());
  }

  /** Like {@link #startSystem(int, String)} with {@code nodeConfig} over everything else. */
  public synchronized ActorSystem<Void> startSystem(int port, String extra, Config nodeConfig) {
    Config config = nodeConfig.withFallback(overlay).withFallback(config(port, stateRoot, extra));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME,
        setup.apply(ActorSystemSetup.create(BootstrapSetup.create(config))));
    started.add(system);
    live.add(system);
    return system;
  }

  /** Starts a node, joins it to the cluster (or forms it) and starts its election. */
  public ActorSystem<Void> startNode(int port, String extra) {
    return startNode(port, extra, ConfigFactory.empty());
  }

  /**
   * Like {@link #startNode(int, String)} with {@code nodeConfig} over everything else. Joins the
   * first live node that is still running (the first node joins itself).
   */
  public synchronized ActorSystem<Void> startNode(int port, String extra, Config nodeConfig) {
    ActorSystem<Void> system = startSystem(port, extra, nodeConfig);
    if (startElection) {
      // Start the election before joining, so the node takes part as soon as it is Up.
      RegentElection.get(system);
    }
    Address self = Cluster.get(system).selfMember().address();
    Address seed = live.stream()
        .filter(s -> s != system && !s.whenTerminated().isCompleted()).findFirst()
        .map(TestCluster::addressOf).orElse(self);
    Cluster.get(system).manager().tell(Join.create(seed));
    return system;
  }

  public ActorSystem<Void> startNode() {
    return startNode(0, "");
  }

  /** Starts {@code n} nodes and waits until every live node sees every live node Up. */
  public List<ActorSystem<Void>> form(int n) {
    for (int i = 0; i < n; i++) {
      startNode();
    }
    awaitAllUp(Duration.ofSeconds(30));
    awaitVoters(Duration.ofSeconds(30));
    return List.copyOf(live);
  }

  public void awaitAllUp(Duration timeout) {
    Await.until(timeout, () -> "all " + live.size() + " nodes Up: " + views(), () -> {
      for (ActorSystem<Void> s : live) {
        long up = StreamSupport.stream(Cluster.get(s).state().getMembers().spliterator(), false)
            .filter(m -> m.status() == MemberStatus.up()).count();
        if (up != live.size()) {
          return false;
        }
      }
      return true;
    });
  }

  private String views() {
    return live.stream().map(s -> addressOf(s).port().get() + "->"
            + StreamSupport.stream(Cluster.get(s).state().getMembers().spliterator(), false)
            .map(m -> m.address().port().get() + ":" + m.status())
            .collect(Collectors.joining(",")))
        .collect(Collectors.joining("; "));
  }

  /**
   * Waits until every live node uses a voter configuration of exactly the live nodes, and the
   * leader has heard every voter acknowledge it.
   */
  public void awaitVoters(Duration timeout) {
    var expected = live.stream().map(s -> RegentElection.get(s).selfId())
        .collect(Collectors.toCollection(java.util.TreeSet::new));
    Await.until(timeout, () -> "voters " + expected + " on every node, have "
        + live.stream().map(s -> ElectionRuntime.get(s).voterConfig()).toList(),
        () -> live.stream().allMatch(
            s -> ElectionRuntime.get(s).voterConfig().voters().equals(expected))
            && live.stream().allMatch(TestCluster::leaderHeardEveryVoterAck));
  }

  /**
   * When {@code s} leads: every other voter has acknowledged the current configuration (the
   * leader only hands over to such a voter; right after a change it would have none).
   */
  private static boolean leaderHeardEveryVoterAck(ActorSystem<?> s) {
    var state = ElectionRuntime.get(s).lastState();
    if (state.isEmpty() || !(state.get().role() instanceof Role.Leader l)) {
      return true;
    }
    var config = state.get().config();
    return config.voters().stream().allMatch(v -> v.equals(state.get().self())
        || config.id().equals(l.ackedConfig().get(v)));
  }

  public List<ActorSystem<Void>> live() {
    return List.copyOf(live);
  }

  /** Every system this cluster started, in order, also terminated ones. */
  public synchronized List<ActorSystem<Void>> started() {
    return List.copyOf(started);
  }

  /**
   * {@code nodes} without {@code node}. By identity: typed actor systems compare equal by their
   * (local) path, so {@code List.remove(Object)} would remove the wrong one.
   */
  public static List<ActorSystem<Void>> without(List<ActorSystem<Void>> nodes,
      ActorSystem<?> node) {
    return nodes.stream().filter(s -> s != node).collect(Collectors.toCollection(ArrayList::new));
  }

  public static Address addressOf(ActorSystem<?> s) {
    return Cluster.get(s).selfMember().address();
  }

  public static Leadership view(ActorSystem<?> s) {
    return RegentElection.get(s).current();
  }

  /**
   * Checks S1 on one sample of every node: at most one node holds a lease per term. Returns the
   * node holding a lease, if any node does and every node in {@code among} knows it as leader.
   */
  public static Optional<ActorSystem<Void>> agreedLeader(List<ActorSystem<Void>> among) {
    Map<Long, NodeId> holders = new HashMap<>();
    ActorSystem<Void> holder = null;
    for (ActorSystem<Void> s : among) {
      Leadership l = view(s);
      if (l.holdsLease()) {
        NodeId other = holders.putIfAbsent(l.term(), l.self());
        if (other != null) {
          throw new AssertionError("two leases in term " + l.term() + ": " + other + " and "
              + l.self());
        }
        holder = s;
      }
    }
    if (holder == null) {
      return Optional.empty();
    }
    Leadership h = view(holder);
    for (ActorSystem<Void> s : among) {
      Leadership l = view(s);
      if (l.term() != h.term() || !l.leader().equals(Optional.of(h.self()))) {
        return Optional.empty();
      }
    }
    return Optional.of(holder);
  }

  /** Waits until one node of {@code among}, in a term above {@code aboveTerm}, leads them all. */
  public static ActorSystem<Void> awaitLeader(List<ActorSystem<Void>> among, long aboveTerm,
      Duration timeout) {
    var found = new Object() {
      ActorSystem<Void> leader;
    };
    Await.until(timeout, () -> "one agreed leader above term " + aboveTerm + " among "
        + among.stream().map(TestCluster::view).toList(), () -> {
          var l = agreedLeader(among);
          if (l.isPresent() && view(l.get()).term() > aboveTerm) {
            found.leader = l.get();
            return true;
          }
          return false;
        });
    return found.leader;
  }

  public ActorSystem<Void> awaitLeader(Duration timeout) {
    return awaitLeader(live(), -1, timeout);
  }

  /** Terminates one system and waits for it (its CoordinatedShutdown runs: graceful leave). */
  public void terminate(ActorSystem<Void> system) {
    live.removeIf(s -> s == system);
    system.terminate();
    awaitTerminated(system);
  }

  /** Marks {@code system} as gone without waiting (for measurements); call {@link #close}. */
  public void terminateAsync(ActorSystem<Void> system) {
    live.removeIf(s -> s == system);
    system.terminate();
  }

  /**
   * Waits for {@code system} to terminate (bounded), ending remoting streams that Pekko 1.7 would
   * wait for forever ({@link StalledRemotingShutdown}); on a timeout the exception carries the
   * actor tree and every thread's stack.
   */
  public static void awaitTerminated(ActorSystem<?> system) {
    var terminated = system.getWhenTerminated().toCompletableFuture();
    try {
      // CoordinatedShutdown's phases first; Artery's transport is the last thing to shut down.
      Await.until(TERMINATION_TIMEOUT, "the termination of " + system, () -> terminated.isDone()
          || StalledRemotingShutdown.transportShuttingDown(system.classicSystem()));
      try {
        terminated.get(STREAMS_SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException stalled) {
        // Pekko 1.7's Artery can wait forever for a TLS stream in its shutdown: end those streams
        // as Pekko's later fix does.
        StalledRemotingShutdown.closeConnections(system.classicSystem());
        terminated.get(STREAMS_SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (Exception | AssertionError e) {
      // What holds it up is in a thread's stack: print them (a termination hang is otherwise
      // undiagnosable after the fact).
      StringBuilder dump = new StringBuilder();
      Thread.getAllStackTraces().forEach((t, stack) -> {
        dump.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
        for (StackTraceElement f : stack) {
          dump.append("    at ").append(f).append('\n');
        }
      });
      String tree;
      try {
        tree = ((org.apache.pekko.actor.ActorSystemImpl) system.classicSystem()).printTree();
      } catch (RuntimeException | LinkageError treeFailure) {
        tree = "(the actor tree could not be printed: " + treeFailure + ")";
      }
      throw new IllegalStateException("actor system " + system + " did not terminate; actors:\n"
          + tree + "\nthreads:\n" + dump, e);
    }
  }

  /** Members as this node sees them (for diagnostics). */
  public static List<Member> members(ActorSystem<?> s) {
    return StreamSupport.stream(Cluster.get(s).state().getMembers().spliterator(), false).toList();
  }

  @Override
  public synchronized void close() {
    for (ActorSystem<Void> s : started) {
      s.terminate();
    }
    for (ActorSystem<Void> s : started) {
      awaitTerminated(s);
    }
    live.clear();
    started.clear();
  }
}
