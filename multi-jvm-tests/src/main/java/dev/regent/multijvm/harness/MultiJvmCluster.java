package dev.regent.multijvm.harness;

import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster of node JVMs for one test, and the controller that injects faults into it.
 *
 * <pre>{@code
 * try (var cluster = MultiJvmCluster.builder("leader-crash").nodes(3).setup(MySetup.class).start()) {
 *   cluster.awaitAllUp(Duration.ofSeconds(60));
 *   cluster.crash(0);
 *   cluster.awaitCondition("a new singleton", Duration.ofSeconds(30), () -> ...);
 *   HistoryChecker.defaults().check(cluster.history()).assertOk();
 * }
 * }</pre>
 *
 * <p>Each node runs {@link NodeMain} in its own JVM, with the test JVM's class path (directories
 * packed into jars, see {@link ClassPathJars}), small heaps and fast start-up flags, an AppCDS
 * archive built once per class path, a free port on 127.0.0.1 (below the kernel's ephemeral port
 * range, so no outgoing connection takes it while the node is down), and the first
 * {@link Builder#seedCount} nodes as seed nodes.
 *
 * <p>With {@link Builder#network}{@code (NetworkBackend.NETNS)} each node instead runs in its own
 * network namespace with its own address in 198.18.0.0/24, reached over Unix-domain sockets, and
 * partitions, one-way partitions, loss, duplication, delay and link faults are made by the kernel
 * ({@link NetnsNetwork}); the fault API is the same.
 *
 * <p>Files, under {@code <work dir>} (default {@code target}):
 * <ul>
 *   <li>{@code node-logs/<test>/node-<i>.log}: the node's stdout and stderr (restarts append). All
 *       logs are kept after the run, passing or failing; a new run of the same test name deletes
 *       its previous logs first.
 *   <li>{@code multi-jvm/<test>/node-<i>/}: the node's events file and {@code state/} directory
 *       (kept across {@link #restart}).
 *   <li>{@code multi-jvm/classpath/}, {@code multi-jvm/cds/}: packed class directories and AppCDS
 *       archives, reused until a rebuild changes a class.
 * </ul>
 *
 * <p>No node outlives its cluster: {@link #close} kills every node (SIGKILL) and waits for it; a
 * JVM shutdown hook does the same if the test JVM exits without closing; and each node halts by
 * itself when its parent is gone ({@link ParentWatchdog}). Not thread-safe: drive it from the test
 * thread.
 */
public final class MultiJvmCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MultiJvmCluster.class);

  /**
   * The nodes' heap, GC, JIT and logging flags, unless {@link Builder#baseJvmOptions} replaces them.
   * C1 only ({@code TieredStopAtLevel=1}): with C2 its compiler threads compete with the start-up
   * on 2 cores (fresh join measured 8.6 s instead of 3.8 s). {@code -XX:CICompilerCount=1} and
   * {@code -XX:-UsePerfData} made no measurable difference (docs/MULTI-JVM.md, "Start-up time").
   */
  public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx128m", "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", "-Xss512k", "-Dregent.node.loglevel=INFO");

  private final Builder b;
  private final String testName;
  private final Path runDir;
  private final Path logDir;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<String> seeds;
  private final List<Path> classPath;
  private final Optional<Path> cdsArchive;
  private final Faults faults;
  private final FencedResourceServer resource;
  /** The namespace backend's network, or empty on the loopback backend. */
  private final Optional<NetnsNetwork> net;
  private final Path configFile;
  private volatile boolean closed;

  private MultiJvmCluster(Builder b) {
    this.b = b;
    this.testName = b.testName;
    this.runDir = b.workDir.resolve("multi-jvm").resolve(testName);
    this.logDir = b.workDir.resolve("node-logs").resolve(testName);
    deleteRecursively(runDir);
    deleteRecursively(logDir);
    try {
      Files.createDirectories(runDir);
      Files.createDirectories(logDir);
      configFile = runDir.resolve("test.conf");
      Files.writeString(configFile, b.config, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    classPath = ClassPathJars.of(b.classPath, b.workDir.resolve("multi-jvm").resolve("classpath"));
    cdsArchive = b.appCds ? AppCds.archive(this, b.workDir) : Optional.empty();
    net = b.network == NetworkBackend.NETNS
        ? Optional.of(NetnsNetwork.create(b.nodes)) : Optional.empty();
    try {
      resource = new FencedResourceServer(net.map(NetnsNetwork::resourceSocket));
      for (int i = 0; i < b.nodes; i++) {
        nodes.add(net.isPresent()
            ? new NodeProcess(i, NetnsNetwork.host(i), Ports.freePort(),
                net.get().controlSocket(i), runDir.resolve("node-" + i),
                logDir.resolve("node-" + i + ".log"))
            : new NodeProcess(i, Ports.freePort(), runDir.resolve("node-" + i),
                logDir.resolve("node-" + i + ".log")));
      }
    } catch (RuntimeException e) {
      net.ifPresent(NetnsNetwork::close);
      throw e;
    }
    seeds = nodes.subList(0, Math.min(b.seedCount, b.nodes)).stream()
        .map(NodeProcess::address).toList();
    faults = new Faults(testName, nodes, this::spawn, net);
  }

  /** Starts describing a cluster; {@code testName} names its log and state directories. */
  public static Builder builder(String testName) {
    return new Builder(testName);
  }

  // ---------------------------------------------------------------------------------------------
  // Faults (see Faults)

  /** SIGKILLs node {@code i} and waits until its process is gone. */
  public void crash(int i) {
    faults.crash(i);
  }

  /** Freezes node {@code i} with SIGSTOP (a stop-the-world pause the node cannot notice). */
  public void pause(int i) {
    faults.pause(i);
  }

  /** Lets a {@link #pause paused} node run again (SIGCONT). */
  public void resume(int i) {
    faults.resume(i);
  }

  /**
   * Cuts all Artery traffic between nodes of different groups (both directions, on both sides);
   * traffic inside a group, and to nodes in no group, is untouched. Example:
   * {@code partition(Set.of(0, 1, 2), Set.of(3, 4))}.
   */
  @SafeVarargs
  public final void partition(Set<Integer>... groups) {
    faults.partition(groups);
  }

  /**
   * Cuts the one link between nodes {@code a} and {@code b} (Artery blackhole, both directions, set
   * on both nodes); every other link stays up, so each of them still reaches the rest of the
   * cluster (a partial partition: the two are "indirectly connected"). Undo with
   * {@link #restore} or {@link #heal}; a {@link #restart} of either node re-applies it.
   */
  public void cut(int a, int b) {
    faults.cut(a, b);
  }

  /** Restores the link between {@code a} and {@code b} that {@link #cut} (or a partition) cut. */
  public void restore(int a, int b) {
    faults.restore(a, b);
  }

  /**
   * Undoes every {@link #partition}, {@link #cut}, {@link #partitionOneWay} (and on the namespace
   * backend every {@link #linkDown}); impairments stay (see {@link #clearImpairments}).
   */
  public void heal() {
    faults.heal();
  }

  /**
   * Drops everything the {@code from} nodes send to the {@code to} nodes, while the other direction
   * stays up (a one-way partition). Namespace backend: a packet filter on each receiver. Loopback:
   * Artery's blackhole for outbound traffic on each sender. Undo with {@link #heal}.
   */
  public void partitionOneWay(Set<Integer> from, Set<Integer> to) {
    faults.partitionOneWay(from, to);
  }

  /**
   * Impairs both directions of the link between {@code a} and {@code b} (replacing an earlier
   * impairment of it; {@link LinkImpairment#NONE} clears it). Namespace backend only.
   */
  public void impair(int a, int b, LinkImpairment impairment) {
    faults.impair(a, b, impairment);
  }

  /** Impairs every link between two nodes (namespace backend only). */
  public void impairAll(LinkImpairment impairment) {
    for (int a = 0; a < nodes.size(); a++) {
      for (int c = a + 1; c < nodes.size(); c++) {
        faults.impair(a, c, impairment);
      }
    }
  }

  /** {@code delay} +- {@code jitter} on every link, both directions (namespace backend only). */
  public void delay(Duration delay, Duration jitter) {
    impairAll(LinkImpairment.delay(delay, jitter));
  }

  /** {@code percent} % loss on every link, both directions (namespace backend only). */
  public void loss(double percent) {
    impairAll(LinkImpairment.loss(percent));
  }

  /** Removes every impairment (namespace backend only). */
  public void clearImpairments() {
    faults.clearImpairments();
  }

  /** Takes node {@code i}'s link to the switch down (namespace backend only). */
  public void linkDown(int i) {
    faults.link(i, false);
  }

  /** Brings node {@code i}'s link up again (namespace backend only). */
  public void linkUp(int i) {
    faults.link(i, true);
  }

  /** The backend this cluster runs on. */
  public NetworkBackend network() {
    return b.network;
  }

  /**
   * Graceful leave of node {@code i}: runs its CoordinatedShutdown (cluster leave, then JVM exit)
   * and waits up to {@code timeout} for the process to exit.
   *
   * @return the node's exit status
   */
  public int leave(int i, Duration timeout) {
    return faults.leave(i, timeout);
  }

  /**
   * Graceful stop of node {@code i} by SIGTERM: the JVM's shutdown hook runs CoordinatedShutdown
   * (cluster leave, then exit); waits up to {@code timeout} for the process to exit.
   *
   * @return the node's exit status
   */
  public int terminate(int i, Duration timeout) {
    return faults.terminate(i, timeout);
  }

  /**
   * Graceful leave of node {@code i} through {@code Cluster.leave} of its own address (the
   * cluster moves it to Leaving and Exiting, then CoordinatedShutdown runs); waits up to
   * {@code timeout} for the process to exit.
   *
   * @return the node's exit status
   */
  public int clusterLeave(int i, Duration timeout) {
    return faults.clusterLeave(i, timeout);
  }

  /**
   * Starts node {@code i} again, on the same port with the same state directory; SIGKILLs it first
   * if it still runs. Blackholes of a current {@link #partition} or {@link #cut} are applied to the
   * new process. (The other side of each cut link keeps its blackhole: Artery keys it by address,
   * which the restarted node keeps; it is set again there too unless that node is paused.)
   */
  public void restart(int i) {
    faults.restart(i);
  }

  // ---------------------------------------------------------------------------------------------
  // Observation

  /** Node {@code i}'s view of the cluster (its control channel's {@code STATUS}). */
  public NodeStatus status(int i) {
    String json = control(i, "STATUS");
    try {
      return HistoryRecorder.JSON.readValue(json, NodeStatus.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The current value of probe {@code name} that node {@code i}'s setup registered. */
  public String probe(int i, String name) {
    return control(i, "PROBE " + name);
  }

  /** Waits until every running node sees every running node Up. */
  public void awaitAllUp(Duration timeout) {
    int[] live = running();
    awaitUp(timeout, live);
  }

  /** Waits until each of {@code nodeIndexes} sees all of them Up. */
  public void awaitUp(Duration timeout, int... nodeIndexes) {
    var addresses = Arrays.stream(nodeIndexes).mapToObj(i -> nodes.get(i).address()).toList();
    awaitCondition("nodes " + Arrays.toString(nodeIndexes) + " all Up in each other's view", timeout,
        () -> Arrays.stream(nodeIndexes).allMatch(i -> {
          NodeStatus s = status(i);
          return addresses.stream().allMatch(a -> "Up".equals(s.members().get(a)));
        }));
  }

  /**
   * Polls {@code condition} every 100 ms until it holds; fails with {@code description} after
   * {@code timeout}. Fails at once, naming the node and its log, if a node exits unexpectedly.
   */
  /**
   * Waits until the restarted node {@code restarted} is reported by its new process and every node
   * sees all {@link #size} nodes Up and none unreachable (the old incarnation is gone everywhere).
   */
  public void awaitRestartedUp(int restarted, Duration timeout) {
    awaitCondition("restarted node " + restarted + " Up in every view", timeout, () -> {
      for (int i = 0; i < size(); i++) {
        NodeStatus s = status(i);
        if (s.upCount() != size() || !s.unreachable().isEmpty()) {
          return false;
        }
      }
      return status(restarted).pid() == pid(restarted);
    });
  }

  public void awaitCondition(String description, Duration timeout, BooleanSupplier condition) {
    Await.eventually(timeout, ControlClient.POLL, description, () -> {
      for (NodeProcess n : nodes) {
        if (n.unexpectedExit != null) {
          throw new AssertionError("node " + n.index + " exited unexpectedly with status "
              + n.unexpectedExit + " while waiting for: " + description + "; see " + n.logFile);
        }
      }
      return condition.getAsBoolean();
    });
  }

  /**
   * A bounded observation window: polls {@code invariant} every 100 ms for {@code window} and fails
   * with {@code description} at the first poll where it is false, or at once if a node exits
   * unexpectedly. For "nothing happens while ..." assertions, without sleeping.
   *
   * @return how many polls saw the invariant hold
   */
  public int assertDuring(String description, Duration window, BooleanSupplier invariant) {
    return Await.holds(window, ControlClient.POLL, description, () -> {
      for (NodeProcess n : nodes) {
        if (n.unexpectedExit != null) {
          throw new AssertionError("node " + n.index + " exited unexpectedly with status "
              + n.unexpectedExit + " during: " + description + "; see " + n.logFile);
        }
      }
      return invariant.getAsBoolean();
    });
  }

  /** Whether node {@code i} is paused (SIGSTOPped by {@link #pause} and not resumed). */
  public boolean isPaused(int i) {
    return nodes.get(i).isAlive() && nodes.get(i).paused;
  }

  /** Whether node {@code i}'s process runs (paused counts as running). */
  public boolean isAlive(int i) {
    return nodes.get(i).isAlive();
  }

  /** The pid of node {@code i}'s current (or last) process. */
  public long pid(int i) {
    return nodes.get(i).process.pid();
  }

  /** Node {@code i}'s {@code host:port}. */
  public String address(int i) {
    return nodes.get(i).address();
  }

  public int size() {
    return nodes.size();
  }

  public Path logFile(int i) {
    return nodes.get(i).logFile;
  }

  public Path stateDirectory(int i) {
    return nodes.get(i).dir.resolve(NodeMain.STATE_DIR);
  }

  /** The test's fenced resource (its write log is part of {@link #history}). */
  public FencedResourceServer resource() {
    return resource;
  }

  /** Spawn-to-Up times of node {@code i}'s processes so far, in milliseconds. */
  public List<Long> spawnToUpMillis(int i) {
    return HistoryRecorder.read(nodes.get(i).dir.resolve(NodeMain.EVENTS_FILE)).stream()
        .filter(e -> e instanceof HistoryEvent.MemberUp)
        .map(e -> ((HistoryEvent.MemberUp) e).spawnToUpMillis()).toList();
  }

  /**
   * Everything observed so far, ordered by {@code nanos}: every node's events, the resource's
   * writes, the harness's faults and process exits, and an {@code END} marker at the time of the
   * call.
   */
  public History history() {
    var all = new ArrayList<HistoryEvent>(faults.events());
    for (NodeProcess n : nodes) {
      all.addAll(HistoryRecorder.read(n.dir.resolve(NodeMain.EVENTS_FILE)));
    }
    all.addAll(resource.writes());
    all.add(new HistoryEvent.Fault(HistoryEvent.FaultKind.END, List.of(), System.nanoTime(),
        System.currentTimeMillis()));
    return new History(all);
  }

  /** Kills every node that still runs (SIGKILL, also paused ones) and waits until all are gone. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (NodeProcess n : nodes) {
      if (n.isAlive()) {
        n.kill();
      }
    }
    for (NodeProcess n : nodes) {
      if (n.process != null) {
        n.reap();
      }
    }
    resource.close();
    net.ifPresent(NetnsNetwork::close);
    log.info("{}: node logs in {}", testName, logDir.toAbsolutePath());
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  /**
   * The seed nodes node {@code i} joins through. While the JVM of any other node runs: every other
   * node, never itself. It then never forms a cluster of its own beside one that may exist, and
   * joins whichever node first answers as a member: also when the node it would have picked is
   * paused, still joining or gone, and when the whole cluster was gone and is formed again (every
   * member crashed or downed; a node restarted alone forms it, see below). When no other node
   * runs: the configured seeds; the first seed then joins itself at once, as no cluster can exist:
   * listing the other seeds too would make it wait for their answers up to
   * {@code seed-node-timeout}, checked on a 1 s tick (about 1 s of every cold start, measured).
   * Nodes are spawned in order, so at the first start node 0 forms the cluster and the others join
   * it.
   */
  private List<String> seedsFor(int i) {
    boolean othersRun = nodes.stream().anyMatch(n -> n.index != i && n.isAlive());
    if (othersRun) {
      return nodes.stream().filter(n -> n.index != i).map(NodeProcess::address).toList();
    }
    return seeds.get(0).equals(nodes.get(i).address()) ? List.of(seeds.get(0)) : seeds;
  }

  private int[] running() {
    return nodes.stream().filter(NodeProcess::isAlive).mapToInt(n -> n.index).toArray();
  }

  /** Sends one control request to node {@code i}; returns the text after {@code OK }. */
  String control(int i, String request) {
    return ControlClient.request(faults.running(i), request);
  }

  /** The JVM command for a node, without {@link NodeMain}'s arguments. */
  List<String> javaCommand(Optional<Path> archive, List<String> extraJvmOptions) {
    var cmd = new ArrayList<String>();
    cmd.add(javaBinary());
    cmd.addAll(b.baseJvmOptions);
    archive.ifPresent(a -> cmd.add("-XX:SharedArchiveFile=" + a));
    cmd.addAll(extraJvmOptions);
    cmd.add("-cp");
    cmd.add(classPath.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)));
    cmd.add(NodeMain.class.getName());
    return cmd;
  }

  List<Path> classPath() {
    return classPath;
  }

  List<String> baseJvmOptions() {
    return b.baseJvmOptions;
  }

  static String javaBinary() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** Spawns node {@code i}'s process (at start and on {@link #restart}). */
  private void spawn(int i) {
    NodeProcess n = nodes.get(i);
    var cmd = new ArrayList<String>();
    net.ifPresent(nw -> cmd.addAll(nw.exec(i))); // ip netns exec NS: execs java, same pid
    cmd.addAll(javaCommand(cdsArchive, b.jvmOptions));
    cmd.addAll(List.of("--index", Integer.toString(i), "--port", Integer.toString(n.port),
        "--seeds", String.join(",", seedsFor(i)), "--node-dir", n.dir.toAbsolutePath().toString(),
        "--setup", b.setup, "--resource-port", Integer.toString(resource.port()),
        "--config", configFile.toAbsolutePath().toString()));
    net.ifPresent(nw -> cmd.addAll(List.of("--host", n.host,
        "--control-socket", n.controlSocket.toString(),
        "--resource-socket", nw.resourceSocket().toString())));
    n.spawn(cmd, testName, faults::recordExit, () -> closed);
  }

  private void startAll() {
    for (NodeProcess n : nodes) {
      spawn(n.index);
    }
  }

  /**
   * Declares that node {@code i}'s current process may exit on its own (e.g. a split-brain resolver
   * downs it), so {@link #awaitCondition} does not fail when it does.
   */
  public void allowExit(int i) {
    nodes.get(i).expectedExit = true;
  }

  /**
   * Marks node {@code i}'s next exit as expected (for tests in which a node is meant to fail at
   * start-up) and waits for it.
   *
   * @return the exit status
   */
  public int awaitExit(int i, Duration timeout) {
    return nodes.get(i).awaitExit(timeout);
  }

  /** Describes a {@link MultiJvmCluster}; {@link #start} spawns it. */
  public static final class Builder {
    private final String testName;
    private int nodes = 3;
    private int seedCount = 3;
    private String setup = NodeSetup.None.class.getName();
    private String config = "";
    private final List<String> jvmOptions = new ArrayList<>();
    private List<String> baseJvmOptions = DEFAULT_JVM_OPTIONS;
    private Path workDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target");
    private String classPath = System.getProperty("java.class.path");
    private boolean appCds = true;
    private NetworkBackend network = NetworkBackend.fromSystemProperty();

    private Builder(String testName) {
      if (!testName.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException("test name must be a plain file name: " + testName);
      }
      this.testName = testName;
    }

    /** How many nodes (default 3). */
    public Builder nodes(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("nodes must be >= 1");
      }
      this.nodes = n;
      return this;
    }

    /** How many of the first nodes are seed nodes (default 3, at most the number of nodes). */
    public Builder seedCount(int n) {
      this.seedCount = n;
      return this;
    }

    /** The code each node runs (default {@link NodeSetup.None}). */
    public Builder setup(Class<? extends NodeSetup> setup) {
      this.setup = setup.getName();
      return this;
    }

    /** HOCON for every node, over the harness's defaults (not over ports, seeds, test mode). */
    public Builder config(String hocon) {
      this.config = hocon;
      return this;
    }

    /** An extra JVM option for every node, e.g. {@code -Dfoo=bar}. */
    public Builder jvmOption(String option) {
      this.jvmOptions.add(option);
      return this;
    }

    /** Replaces the default heap, GC and JIT flags. */
    public Builder baseJvmOptions(List<String> options) {
      this.baseJvmOptions = List.copyOf(options);
      return this;
    }

    /** Where logs, state and archives go (default {@code <basedir>/target}). */
    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    /** The nodes' class path (default: the test JVM's {@code java.class.path}). */
    public Builder classPath(String classPath) {
      this.classPath = classPath;
      return this;
    }

    /** Whether to build and use an AppCDS archive for faster start-up (default true). */
    public Builder appCds(boolean on) {
      this.appCds = on;
      return this;
    }

    /**
     * Where the nodes run and how network faults are made (default: the system property
     * {@value NetworkBackend#PROPERTY}, else {@link NetworkBackend#LOOPBACK}).
     */
    public Builder network(NetworkBackend backend) {
      this.network = backend;
      return this;
    }

    /** Spawns every node (does not wait for them to be Up: see {@link #awaitAllUp}). */
    public MultiJvmCluster start() {
      var cluster = new MultiJvmCluster(this);
      try {
        cluster.faults.record(HistoryEvent.FaultKind.START,
            IntStream.range(0, nodes).toArray());
        cluster.startAll();
      } catch (RuntimeException e) {
        cluster.close();
        throw e;
      }
      return cluster;
    }
  }
}
