package dev.regent.multijvm.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network of the namespace backend ({@link NetworkBackend#NETNS}): every node in its own Linux
 * network namespace, all joined by a bridge that lives in a namespace of its own (the "switch"),
 * and the faults of {@link MultiJvmCluster} done by the kernel.
 *
 * <pre>
 *   rgt-PID-SEQ-n0  eth0 198.18.0.1/24 ──veth── n0 ┐
 *   rgt-PID-SEQ-n1  eth0 198.18.0.2/24 ──veth── n1 ├─ br0   (namespace rgt-PID-SEQ-sw)
 *   rgt-PID-SEQ-n2  eth0 198.18.0.3/24 ──veth── n2 ┘
 * </pre>
 *
 * <p>Nothing is created in the root namespace: the veth pairs are created directly between the
 * switch and the node namespaces, no namespace has a default route (only the connected
 * 198.18.0.0/24), and the root namespace's routing, interfaces and filter rules are never touched.
 * Addresses are per namespace, so two runs (two engineers, two test JVMs) never collide although
 * both use 198.18.0.0/24. The test JVM reaches a node only through Unix-domain sockets in
 * {@link #socketDir} (control channel and fenced resource), which no network fault affects.
 *
 * <p>Faults (each node namespace has two iptables chains, {@code RGT-CUT} and {@code RGT-SHAPE},
 * jumped to from {@code INPUT} and {@code OUTPUT}):
 * <ul>
 *   <li>cut / partition: {@code RGT-CUT -s PEER -j DROP} on the receiving side, for both
 *       directions; one-way: only on the receiving side of that direction. Dropped on input so the
 *       sender sees what a real network shows it: nothing (a drop on output answers the sending
 *       socket with EPERM at once).
 *   <li>loss: {@code RGT-SHAPE -s PEER -m statistic --mode random --probability P -j DROP} on
 *       the receiver; duplication: {@code -d PEER -m statistic ... -j TEE --gateway PEER} on the
 *       sender (the copy goes straight to the peer).
 *   <li>delay, jitter, reordering: {@code tc netem} where the kernel has it; this machine's kernel
 *       is built without {@code sch_netem} (and without modules), so they are done by
 *       {@code -d PEER -j NFQUEUE --queue-num Q --queue-bypass} on the sender and a small
 *       delayer ({@code nfq_delay.py}, Python standard library) in the sender's namespace that
 *       accepts each queued packet after delay +- jitter. See docs/MULTI-JVM.md.
 *   <li>link down: {@code ip link set nI down} on the switch side of node I's veth (the node's
 *       eth0 loses its carrier).
 * </ul>
 *
 * <p>Clean-up: {@link #close} deletes the namespaces (which removes their interfaces and rules)
 * and stops the delayers; a JVM shutdown hook does the same if the test JVM exits without closing;
 * and {@link #create} first deletes namespaces of earlier runs whose creating process is gone
 * (the PID in the name).
 */
final class NetnsNetwork implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NetnsNetwork.class);

  /** Every namespace name starts with this, then the creating JVM's PID. */
  static final String PREFIX = "rgt-";
  private static final Pattern OURS = Pattern.compile("rgt-(\\d+)-\\d+-(sw|n\\d+)");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final Set<NetnsNetwork> LIVE = ConcurrentHashMap.newKeySet();
  /** The queue number of the link to peer {@code j} is {@code QUEUE_BASE + j}. */
  private static final int QUEUE_BASE = 100;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (NetnsNetwork n : LIVE) {
        n.close();
      }
    }, "regent-netns-reaper"));
  }

  private final String name;
  private final int size;
  private final Path socketDir;
  private final Path delayerScript;
  private final List<String> created = new ArrayList<>();
  /** Running delayers by (sender, receiver). */
  private final Map<List<Integer>, Process> delayers = new HashMap<>();
  private volatile boolean closed;

  private NetnsNetwork(String name, int size, Path socketDir, Path delayerScript) {
    this.name = name;
    this.size = size;
    this.socketDir = socketDir;
    this.delayerScript = delayerScript;
  }

  /**
   * Why this backend cannot run here, or empty when it can: it needs Linux, root, {@code ip}
   * (iproute2), {@code iptables} and {@code python3} (for delays without sch_netem).
   */
  static Optional<String> unavailableReason() {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return Optional.of("network namespaces need Linux (os.name=" + System.getProperty("os.name")
          + ")");
    }
    try {
      String status = Files.readString(Path.of("/proc/self/status"));
      Matcher m = Pattern.compile("(?m)^Uid:\\s+(\\d+)\\s+(\\d+)").matcher(status);
      if (m.find() && !m.group(2).equals("0")) {
        return Optional.of("network namespaces need root (effective uid " + m.group(2) + ")");
      }
    } catch (IOException e) {
      return Optional.of("cannot read /proc/self/status: " + e);
    }
    for (String tool : List.of("ip", "iptables", "python3")) {
      if (which(tool).isEmpty()) {
        return Optional.of(tool + " not found on PATH or in /usr/sbin, /sbin, /usr/bin"
            + " (.ci/run installs iproute2, iptables, python3-minimal)");
      }
    }
    return Optional.empty();
  }

  /** Creates the switch, {@code size} node namespaces with their links, and their chains. */
  static NetnsNetwork create(int size) {
    unavailableReason().ifPresent(r -> {
      throw new IllegalStateException("the netns backend cannot run: " + r);
    });
    removeLeftovers();
    long pid = ProcessHandle.current().pid();
    String name = PREFIX + pid + "-" + SEQ.incrementAndGet();
    // Unix socket paths are limited to 107 bytes: a short directory of its own under /tmp.
    Path socketDir;
    Path script;
    try {
      socketDir = Files.createTempDirectory(Path.of("/tmp"), name + "-");
      script = socketDir.resolve("nfq_delay.py");
      try (InputStream in = NetnsNetwork.class.getResourceAsStream("nfq_delay.py")) {
        if (in == null) {
          throw new IllegalStateException("nfq_delay.py missing from the class path");
        }
        Files.copy(in, script);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a socket directory in /tmp", e);
    }
    var net = new NetnsNetwork(name, size, socketDir, script);
    LIVE.add(net);
    try {
      net.build();
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
    return net;
  }

  private void build() {
    String sw = switchNs();
    addNamespace(sw);
    ip("-n", sw, "link", "set", "lo", "up");
    ip("-n", sw, "link", "add", "br0", "type", "bridge");
    ip("-n", sw, "link", "set", "br0", "up");
    for (int i = 0; i < size; i++) {
      String ns = nodeNs(i);
      addNamespace(ns);
      ip("-n", sw, "link", "add", port(i), "type", "veth", "peer", "name", "eth0", "netns", ns);
      ip("-n", sw, "link", "set", port(i), "master", "br0");
      ip("-n", sw, "link", "set", port(i), "up");
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "addr", "add", host(i) + "/24", "dev", "eth0");
      ip("-n", ns, "link", "set", "eth0", "up");
      for (String chain : List.of("RGT-CUT", "RGT-SHAPE")) {
        iptables(i, "-N", chain);
      }
      // CUT before SHAPE: a cut link drops before a packet is queued to a delayer.
      for (String hook : List.of("INPUT", "OUTPUT")) {
        iptables(i, "-A", hook, "-j", "RGT-CUT");
        iptables(i, "-A", hook, "-j", "RGT-SHAPE");
      }
    }
    log.info("netns network {}: switch {} and {} node namespaces, 198.18.0.1-{}", name, sw, size,
        size);
  }

  /** Node {@code i}'s address: 198.18.0.(i+1). */
  static String host(int i) {
    if (i < 0 || i > 250) {
      throw new IllegalArgumentException("node index out of range for 198.18.0.0/24: " + i);
    }
    return "198.18.0." + (i + 1);
  }

  String nodeNs(int i) {
    return name + "-n" + i;
  }

  String switchNs() {
    return name + "-sw";
  }

  private static String port(int i) {
    return "n" + i;
  }

  /** The command prefix that runs a program in node {@code i}'s namespace. */
  List<String> exec(int i) {
    return List.of(which("ip").orElseThrow(), "netns", "exec", nodeNs(i));
  }

  Path controlSocket(int i) {
    return socketDir.resolve("n" + i + ".ctl");
  }

  Path resourceSocket() {
    return socketDir.resolve("resource.sock");
  }

  // ---------------------------------------------------------------------------------------------
  // Faults

  /** Drops (or lets through again) every packet from {@code from} arriving at {@code to}. */
  void block(int from, int to, boolean on) {
    rule(to, on, "RGT-CUT", "-s", host(from), "-j", "DROP");
  }

  /** Takes node {@code i}'s link down (or up again) at the switch. */
  void link(int i, boolean up) {
    ip("-n", switchNs(), "link", "set", port(i), up ? "up" : "down");
  }

  /** Flushes every cut and brings every link up. */
  void healCuts() {
    for (int i = 0; i < size; i++) {
      iptables(i, "-F", "RGT-CUT");
      link(i, true);
    }
  }

  /**
   * Impairs the packets {@code from} sends to {@code to} (one direction); replaces an earlier
   * impairment of that direction.
   */
  void impair(int from, int to, LinkImpairment imp) {
    unimpair(from, to);
    if (imp.lossPercent() > 0) {
      rule(to, true, "RGT-SHAPE", "-s", host(from), "-m", "statistic", "--mode", "random",
          "--probability", probability(imp.lossPercent()), "-j", "DROP");
    }
    if (imp.duplicatePercent() > 0) {
      rule(from, true, "RGT-SHAPE", "-d", host(to), "-m", "statistic", "--mode", "random",
          "--probability", probability(imp.duplicatePercent()), "-j", "TEE", "--gateway",
          host(to));
    }
    if (!imp.delay().isZero() || !imp.jitter().isZero() || imp.reorderPercent() > 0) {
      startDelayer(from, to, imp);
      rule(from, true, "RGT-SHAPE", "-d", host(to), "-j", "NFQUEUE", "--queue-num",
          Integer.toString(QUEUE_BASE + to), "--queue-bypass");
    }
  }

  /** Removes the impairment of the packets {@code from} sends to {@code to}. */
  void unimpair(int from, int to) {
    deleteMatching(to, "RGT-SHAPE", "-s " + host(from) + "/32");
    deleteMatching(from, "RGT-SHAPE", "-d " + host(to) + "/32");
    Process d = delayers.remove(List.of(from, to));
    if (d != null) {
      stop(d);
    }
  }

  /** Removes every impairment. */
  void unimpairAll() {
    for (int i = 0; i < size; i++) {
      iptables(i, "-F", "RGT-SHAPE");
    }
    delayers.values().forEach(NetnsNetwork::stop);
    delayers.clear();
  }

  /** The current rules of node {@code i} ({@code iptables -S}), for diagnostics. */
  String rules(int i) {
    return run(concat(exec(i), List.of(which("iptables").orElseThrow(), "-S")));
  }

  private void startDelayer(int from, int to, LinkImpairment imp) {
    var cmd = new ArrayList<>(exec(from));
    cmd.addAll(List.of(which("python3").orElseThrow(), delayerScript.toString(),
        Integer.toString(QUEUE_BASE + to), Long.toString(imp.delay().toMillis()),
        Long.toString(imp.jitter().toMillis()), Double.toString(imp.reorderPercent())));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      delayers.put(List.of(from, to), p);
      // Its stdin stays open while this JVM lives: the delayer exits when it closes.
      var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      var ready = new java.util.concurrent.CompletableFuture<String>();
      Thread t = new Thread(() -> {
        try {
          String line;
          while ((line = out.readLine()) != null) {
            if (line.startsWith("READY")) {
              ready.complete(line);
            } else {
              log.warn("delayer {}->{}: {}", from, to, line);
            }
          }
        } catch (IOException e) {
          log.debug("delayer {}->{} output closed", from, to, e);
        }
        ready.complete("exited");
      }, "regent-netns-delayer-" + from + "-" + to);
      t.setDaemon(true);
      t.start();
      String first = ready.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (!first.startsWith("READY")) {
        throw new IllegalStateException("delayer " + from + "->" + to + " did not start: " + first);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the delayer " + cmd, e);
    } catch (Exception e) {
      throw new IllegalStateException("delayer " + from + "->" + to + " not ready", e);
    }
  }

  private static void stop(Process p) {
    try {
      OutputStream in = p.getOutputStream();
      in.close(); // the delayer's signal to exit
    } catch (IOException e) {
      log.debug("closing a delayer's stdin failed", e);
    }
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  private static String probability(double percent) {
    if (!(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException("percent must be in (0, 100]: " + percent);
    }
    return String.format(Locale.ROOT, "%.6f", percent / 100.0);
  }

  private void rule(int node, boolean add, String chain, String... spec) {
    var args = new ArrayList<String>();
    args.add(add ? "-I" : "-D");
    args.add(chain);
    args.addAll(List.of(spec));
    // NFQUEUE last in its chain, so a drop (loss) is decided before a packet is queued.
    if (add && List.of(spec).contains("NFQUEUE")) {
      args.set(0, "-A");
    }
    if (add) {
      iptables(node, args.toArray(String[]::new));
    } else {
      tryIptables(node, args.toArray(String[]::new)); // absent already (healed twice): fine
    }
  }

  private void deleteMatching(int node, String chain, String needle) {
    for (String line : rules(node).split("\n")) {
      if (line.startsWith("-A " + chain + " ") && line.contains(needle)) {
        var args = new ArrayList<String>(List.of(line.substring(3).split(" ")));
        args.add(0, "-D");
        tryIptables(node, args.toArray(String[]::new));
      }
    }
  }

  private void iptables(int node, String... args) {
    run(concat(exec(node), concat(List.of(which("iptables").orElseThrow(), "-w"), List.of(args))));
  }

  private void tryIptables(int node, String... args) {
    try {
      iptables(node, args);
    } catch (IllegalStateException e) {
      log.debug("ignored: {}", e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Life cycle

  private void addNamespace(String ns) {
    ip("netns", "add", ns);
    created.add(ns);
  }

  /** Stops the delayers and deletes every namespace of this network (node ones first). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    delayers.values().forEach(NetnsNetwork::stop);
    delayers.clear();
    for (int k = created.size() - 1; k >= 0; k--) {
      try {
        ip("netns", "del", created.get(k));
      } catch (RuntimeException e) {
        log.warn("netns network {}: cannot delete namespace {}: {}", name, created.get(k),
            e.getMessage());
      }
    }
    MultiJvmCluster.deleteRecursively(socketDir);
    LIVE.remove(this);
    log.info("netns network {}: removed", name);
  }

  /**
   * Deletes namespaces named {@code rgt-PID-...} whose PID is not a running process: leftovers of
   * a test JVM that died without its shutdown hook (SIGKILL). Namespaces of a live JVM (another
   * engineer's, another build's) are left alone.
   *
   * @return the deleted namespaces
   */
  static List<String> removeLeftovers() {
    var removed = new ArrayList<String>();
    for (String line : run(List.of(which("ip").orElseThrow(), "netns", "list")).split("\n")) {
      String ns = line.trim().split("\\s+")[0];
      Matcher m = OURS.matcher(ns);
      if (!m.matches()) {
        continue;
      }
      long pid = Long.parseLong(m.group(1));
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        continue;
      }
      try {
        ip("netns", "del", ns);
        removed.add(ns);
      } catch (RuntimeException e) {
        log.warn("cannot remove leftover namespace {}: {}", ns, e.getMessage());
      }
    }
    if (!removed.isEmpty()) {
      log.warn("removed namespaces left behind by earlier runs: {}", removed);
    }
    try (var dirs = Files.list(Path.of("/tmp"))) {
      for (Path d : dirs.toList()) {
        Matcher m = Pattern.compile("rgt-(\\d+)-\\d+-.*").matcher(d.getFileName().toString());
        if (m.matches() && Files.isDirectory(d) && !ProcessHandle.of(Long.parseLong(m.group(1)))
            .map(ProcessHandle::isAlive).orElse(false)) {
          MultiJvmCluster.deleteRecursively(d);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      log.debug("cannot clean /tmp of old socket directories", e);
    }
    return removed;
  }

  private static void ip(String... args) {
    run(concat(List.of(which("ip").orElseThrow()), List.of(args)));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    var l = new ArrayList<>(a);
    l.addAll(b);
    return l;
  }

  /** Runs a command, waiting at most 20 s; its output, or an exception naming it and its output. */
  static String run(List<String> cmd) {
    return run(cmd, COMMAND_TIMEOUT);
  }

  /** {@link #run(List)} with its own bound, for a command that may wait on a lossy link. */
  static String run(List<String> cmd, Duration timeout) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      var output = new java.util.concurrent.CompletableFuture<String>();
      Thread reader = new Thread(() -> {
        try {
          output.complete(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
          output.complete("(output unreadable: " + e + ")");
        }
      }, "regent-netns-cmd");
      reader.setDaemon(true);
      reader.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s: "
            + String.join(" ", cmd));
      }
      String out = output.get(5, TimeUnit.SECONDS);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("failed (status " + p.exitValue() + "): "
            + String.join(" ", cmd) + ": " + out.trim());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no output from " + String.join(" ", cmd), e);
    }
  }

  private static final Map<String, Optional<String>> WHICH = new ConcurrentHashMap<>();

  /** The absolute path of {@code tool} (PATH, then /usr/sbin, /sbin, /usr/bin). */
  static Optional<String> which(String tool) {
    return WHICH.computeIfAbsent(tool, t -> {
      var dirs = new ArrayList<String>();
      if ("python3".equals(t)) {
        dirs.add("/usr/bin"); // the system Python first: no shims of a user's version manager
      }
      dirs.addAll(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
      dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
      for (String d : dirs) {
        if (!d.isEmpty()) {
          Path p = Path.of(d, t);
          if (Files.isExecutable(p)) {
            return Optional.of(p.toString());
          }
        }
      }
      return Optional.empty();
    });
  }
}
