package dev.regent.multijvm.harness;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;

/**
 * The main class of a node JVM spawned by {@link MultiJvmCluster}. Not for direct use; the harness
 * builds its command line:
 *
 * <pre>
 * --index N --port P --seeds host:port,... --node-dir DIR --setup CLASS --resource-port R
 *     --spawn-nanos T [--config FILE] [--train]
 *     [--host H --control-socket PATH --resource-socket PATH]
 * </pre>
 *
 * <p>The last three are the namespace backend's ({@link NetworkBackend#NETNS}): the node's own
 * address (default 127.0.0.1), and Unix-domain sockets for the control channel and the fenced
 * resource instead of loopback TCP, which the test JVM does not share with the node.
 *
 * <p>In order: starts the {@link ParentWatchdog} (before anything slow, so a node whose harness died
 * during its start-up exits too), opens the control server ({@link ControlServer}) and publishes its
 * port in {@code DIR/control-port}, creates the actor system (system name {@value #SYSTEM_NAME}) with
 * the harness's configuration, runs the {@link NodeSetup}, and prints one line when the node is Up:
 * {@code REGENT-NODE-UP node=N spawn-to-up-ms=... (jvm-to-main-ms=... logging-ms=... config-ms=...
 * system-ms=... setup-ms=... join-ms=... joining-to-up-ms=...)}: the phases of the start-up, each
 * from the end of the one before (see {@link StartupPhases}).
 *
 * <p>With {@code --train} the node runs {@link Training} instead: a two-node cluster in this JVM
 * running Regent's election and singleton, then a clean exit. The harness runs it once with
 * {@code -XX:ArchiveClassesAtExit} to build the AppCDS archive.
 *
 * <p>Exit status: 0 after a graceful leave or {@code EXIT}; {@value #EXIT_SETUP_FAILED} when the
 * actor system or the setup fails to start (the cause is printed to the node's log); 97 when the
 * harness is gone.
 */
public final class NodeMain {

  public static final String SYSTEM_NAME = "regent";
  public static final int EXIT_SETUP_FAILED = 2;
  static final String CONTROL_PORT_FILE = "control-port";
  static final String EVENTS_FILE = "events.jsonl";
  static final String STATE_DIR = "state";

  private NodeMain() {}

  public static void main(String[] args) throws Exception {
    long mainNanos = System.nanoTime();
    ParentWatchdog.start(System.in);
    Map<String, String> opts = parse(args);
    int index = Integer.parseInt(opts.get("index"));
    int port = Integer.parseInt(opts.get("port"));
    Path nodeDir = Path.of(opts.get("node-dir"));
    long spawnNanos = Long.parseLong(opts.getOrDefault("spawn-nanos", Long.toString(mainNanos)));
    if (opts.containsKey("train")) {
      Training.run(port, nodeDir);
      return;
    }
    List<String> seeds = List.of(opts.get("seeds").split(","));
    var phases = new StartupPhases(spawnNanos);
    phases.mark("jvm-to-main", mainNanos);

    var control = new ControlServer(index,
        Optional.ofNullable(opts.get("control-socket")).map(Path::of));
    publishControlPort(nodeDir, control.port());

    // Logging first, on its own: the actor system would initialise it anyway (Slf4jLogger), but
    // then its cost would hide inside system-ms.
    org.slf4j.LoggerFactory.getILoggerFactory();
    phases.mark("logging");
    Config config = config(opts, port, seeds, nodeDir.resolve(STATE_DIR));
    phases.mark("config");
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
    } catch (Throwable e) {
      failStart("creating the actor system failed", e);
      return;
    }
    phases.mark("system");
    control.attach(system);
    var history = new HistoryRecorder(nodeDir.resolve(EVENTS_FILE), index);
    var cluster = Cluster.get(Adapter.toClassic(system));
    StartupPhases.markWhenSelfJoins(system, phases);
    cluster.registerOnMemberUp(() -> {
      long up = System.nanoTime();
      long spawnToUp = TimeUnit.NANOSECONDS.toMillis(up - spawnNanos);
      history.record(new HistoryEvent.MemberUp(index, ProcessHandle.current().pid(), spawnToUp, up,
          System.currentTimeMillis()));
      phases.mark("joining-to-up", up);
      System.out.println("REGENT-NODE-UP node=" + index + " spawn-to-up-ms=" + spawnToUp
          + " (" + phases + ")");
      System.out.flush();
    });
    String setupClass = opts.getOrDefault("setup", NodeSetup.None.class.getName());
    var resource = opts.containsKey("resource-socket")
        ? new FencedResourceClient(Path.of(opts.get("resource-socket")), index)
        : new FencedResourceClient(Integer.parseInt(opts.getOrDefault("resource-port", "0")), index);
    try {
      NodeSetup setup = (NodeSetup) Class.forName(setupClass).getDeclaredConstructor().newInstance();
      setup.start(new NodeContext(index, system, nodeDir.resolve(STATE_DIR), history, resource,
          control.probes));
      phases.mark("setup");
    } catch (Throwable e) {
      failStart("node setup " + setupClass + " failed", e);
    }
  }

  private static void failStart(String what, Throwable e) {
    System.err.println("REGENT-NODE-FAILED " + what + ": " + e);
    e.printStackTrace(System.err);
    System.err.flush();
    System.out.flush();
    // halt, not exit: a half-started actor system's shutdown hooks could hang.
    Runtime.getRuntime().halt(EXIT_SETUP_FAILED);
  }

  static Config config(Map<String, String> opts, int port, List<String> seeds, Path stateDir)
      throws IOException {
    var seedList = new ArrayList<String>();
    for (String s : seeds) {
      seedList.add("\"pekko://" + SYSTEM_NAME + "@" + s.trim() + "\"");
    }
    // What the harness needs to work: not overridable by the test's configuration.
    Config required = ConfigFactory.parseString(String.join("\n",
        "pekko.actor.provider = cluster",
        "pekko.remote.artery.transport = tcp",
        "pekko.remote.artery.canonical.hostname = " + quote(opts.getOrDefault("host", "127.0.0.1")),
        "pekko.remote.artery.canonical.port = " + port,
        "pekko.remote.artery.advanced.test-mode = on",
        "pekko.cluster.seed-nodes = [" + String.join(",", seedList) + "]",
        "pekko.coordinated-shutdown.exit-jvm = on",
        "regent.election.state-directory = " + quote(stateDir.toAbsolutePath().toString())));
    // Fast defaults for tests, so that a spawned node is Up within about 3 s of its start (the
    // faster cluster ticks below); the test may override them.
    Config defaults = ConfigFactory.parseString(String.join("\n",
        "pekko.loglevel = INFO",
        "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
        "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
        "pekko.log-dead-letters = 5",
        "pekko.log-dead-letters-during-shutdown = off",
        // Joining to Up takes a leader-actions tick and gossip both ways: 200 ms each, not 1 s.
        "pekko.cluster.gossip-interval = 200ms",
        "pekko.cluster.leader-actions-interval = 200ms",
        // The cluster daemon's ticks (gossip, leader actions, and the check whether a join attempt
        // timed out) start after this delay (default 1 s). A node restarted at the address of a
        // member that crashed is refused until the cluster removed the old incarnation, and
        // retries its join only at the first tick after retry-unsuccessful-join-after: 1 s + 1 s
        // before, 0.5 s now (measured: restart after SIGKILL, see docs/MULTI-JVM.md).
        "pekko.cluster.periodic-tasks-initial-delay = 200ms",
        "pekko.cluster.retry-unsuccessful-join-after = 500ms",
        // A seed that is not the first resends InitJoin after this long without an answer (the
        // first seed of a cold start joins itself at once: MultiJvmCluster gives it no other seed).
        "pekko.cluster.seed-node-timeout = 500ms",
        // Pekko's failure detector only drives membership (and a downing provider); on a loaded
        // 2-core machine five starting JVMs starve each other for seconds, and a 1 s pause made
        // the resolver down nodes during start-up. 3 s is Pekko's default.
        "pekko.cluster.failure-detector.heartbeat-interval = 500ms",
        "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s",
        "pekko.cluster.jmx.enabled = off",
        "pekko.cluster.run-coordinated-shutdown-when-down = on",
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = on"));
    Config user = ConfigFactory.empty();
    if (opts.containsKey("config")) {
      user = ConfigFactory.parseString(
          Files.readString(Path.of(opts.get("config")), StandardCharsets.UTF_8));
    }
    return transportChoice(user, opts).withFallback(required).withFallback(user)
        .withFallback(defaults).withFallback(ConfigFactory.load()).resolve();
  }

  /**
   * What the test's configuration may set over the harness's requirements: the Artery transport
   * ({@code tcp} or {@code tls-tcp}, see {@code TestPki.artery}); and this node's index as
   * {@code regent.harness.node-index}, for per-node settings such as certificate files.
   */
  private static Config transportChoice(Config user, Map<String, String> opts) {
    Config index = ConfigFactory.parseString("regent.harness.node-index = " + opts.get("index"));
    String key = "pekko.remote.artery.transport";
    return user.hasPath(key) ? user.withOnlyPath(key).withFallback(index) : index;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void publishControlPort(Path nodeDir, int port) throws IOException {
    Files.createDirectories(nodeDir);
    Path tmp = nodeDir.resolve(CONTROL_PORT_FILE + ".tmp");
    Files.writeString(tmp, Integer.toString(port), StandardCharsets.UTF_8);
    Files.move(tmp, nodeDir.resolve(CONTROL_PORT_FILE),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static Map<String, String> parse(String[] args) {
    var m = new HashMap<String, String>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      String key = args[i].substring(2);
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        m.put(key, args[++i]);
      } else {
        m.put(key, "");
      }
    }
    return m;
  }
}
