package dev.regent.examples.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The local demo: starts three node JVMs on 127.0.0.1 (seed nodes 2551 and 2552) running the fenced
 * ticket allocator, shows who hosts it and with which token, kills the host's JVM (after a few
 * seconds, or when you press Enter with {@code --interactive}), shows the singleton moving and how
 * long it took, and what the tickets' database holds (tickets, the fence's token, the writes it
 * refused), then stops every node. The database is an embedded H2 file under the work directory
 * unless {@code --jdbc-url} names another (PostgreSQL). Every child process is reaped, also on
 * Ctrl-C.
 */
public final class DemoLauncher {

  /** What the demo showed: who hosted before and after the crash, and how long the move took. */
  public record Result(String oldHost, long oldToken, String newHost, long newToken,
                       long failoverMillis, long ticketsBefore, long ticketsAfter,
                       List<StatusCommand.Row> statusAfter, JdbcTicketStore.Summary database) {}

  /** How to run it. */
  public record Options(List<Integer> ports, List<Integer> seeds, Path workDir,
                        boolean interactive, Duration steadyFor, Duration timeout,
                        Optional<String> jdbcUrl, String jdbcUser) {

    /** With the embedded H2 database under {@code workDir}. */
    public Options(List<Integer> ports, List<Integer> seeds, Path workDir, boolean interactive,
        Duration steadyFor, Duration timeout) {
      this(ports, seeds, workDir, interactive, steadyFor, timeout, Optional.empty(), "");
    }

    static Options defaults() {
      return new Options(List.of(2551, 2552, 2553), List.of(2551, 2552),
          Path.of("target", "regent-demo"), false, Duration.ofSeconds(5), Duration.ofSeconds(90));
    }

    /** The tickets' database: {@code jdbcUrl}, or the embedded H2 file under {@code workDir}. */
    String databaseUrl() {
      return jdbcUrl.orElseGet(() -> JdbcTicketStore.defaultH2Url(workDir));
    }
  }

  private final Options options;
  private final PrintStream out;
  private final List<Process> processes = new ArrayList<>();
  private final Map<Integer, Process> byPort = new TreeMap<>();
  private final Map<Integer, NodeStatus> status = new ConcurrentHashMap<>();
  private final long startedAt = System.nanoTime();
  private final Thread reaper = new Thread(this::destroyAll, "regent-demo-reaper");

  public DemoLauncher(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    var o = Options.defaults();
    boolean interactive = false;
    Optional<String> jdbcUrl = Optional.empty();
    String jdbcUser = "";
    String usage = "usage: demo.sh [--interactive] [--jdbc-url URL [--jdbc-user USER]] (the"
        + " password in $" + DemoNode.JDBC_PASSWORD_ENV + "; default: embedded H2 under "
        + o.workDir() + ")";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--interactive" -> interactive = true;
        case "--jdbc-url", "--jdbc-user" -> {
          if (i + 1 >= args.length) {
            System.err.println(a + " needs a value; " + usage);
            System.exit(2);
          }
          if (a.equals("--jdbc-url")) {
            jdbcUrl = Optional.of(args[++i]);
          } else {
            jdbcUser = args[++i];
          }
        }
        case "--help" -> {
          System.out.println(usage);
          return;
        }
        default -> {
          System.err.println("unknown argument " + a + "; " + usage);
          System.exit(2);
        }
      }
    }
    o = new Options(o.ports(), o.seeds(), o.workDir(), interactive, o.steadyFor(), o.timeout(),
        jdbcUrl, jdbcUser);
    var launcher = new DemoLauncher(o, System.out);
    Result r = launcher.run();
    System.out.printf("%nsingleton moved from %s (token %d) to %s (token %d) in %d ms%n",
        r.oldHost(), r.oldToken(), r.newHost(), r.newToken(), r.failoverMillis());
    r.database().lines().forEach(System.out::println);
  }

  /** Runs the whole demo; every node is stopped when it returns or throws. */
  public Result run() throws Exception {
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      for (int port : options.ports()) {
        requireFree(port);
      }
      deleteRecursively(options.workDir());
      Files.createDirectories(options.workDir());
      if (options.jdbcUrl().isPresent()) {
        say("emptying the demo's tables in " + options.jdbcUrl().get() + " (this run founds a new"
            + " cluster, whose new lineage the database would refuse while pinned to the last)");
        JdbcTicketStore.reset(options.jdbcUrl().get(), options.jdbcUser(),
            System.getenv().getOrDefault(DemoNode.JDBC_PASSWORD_ENV, ""));
      }
      say("starting " + options.ports().size() + " nodes on 127.0.0.1 " + options.ports()
          + " (seed nodes " + options.seeds() + "), logs in " + options.workDir());
      for (int port : options.ports()) {
        start(port);
      }
      NodeStatus host = await("a node hosting the ticket allocator", s -> s.singletonToken() > 0);
      String leader = host.node();
      int n = options.ports().size();
      // Every node a member and following the host (the leader adds members as voters one at a
      // time as they acknowledge it).
      awaitAll("every node Up and following " + leader,
          s -> s.members() == n && s.leader().equals(leader));
      // Following is not yet being a voter (under load the leader may add the last member
      // later): killing the host while only two of three are voters leaves no quorum. Wait until
      // every status endpoint lists all nodes as voters.
      awaitVoters(n);
      say("all up: " + host.node() + " hosts the singleton with token " + host.singletonToken());
      if (options.interactive()) {
        say("press Enter to kill the host's JVM");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      } else {
        long until = System.nanoTime() + options.steadyFor().toNanos();
        while (System.nanoTime() < until) {
          show();
          TimeUnit.MILLISECONDS.sleep(500);
        }
      }
      // Under CPU load a lease renewal can come late and the singleton restart (same token):
      // wait for a host again rather than assume one.
      host = await("a node hosting the ticket allocator", s -> s.singletonToken() > 0);
      long ticketsBefore = host.tickets();
      int hostPort = portOf(host.node());
      say("killing " + host.node() + " (SIGKILL) while it hosts with token "
          + host.singletonToken());
      long killedAt = System.currentTimeMillis();
      byPort.get(hostPort).destroyForcibly();
      status.remove(hostPort);
      long oldToken = host.singletonToken();
      NodeStatus next = await("the singleton running elsewhere with a larger token",
          s -> s.singletonToken() > oldToken && s.singletonStartedAtMillis() >= killedAt);
      long failover = next.singletonStartedAtMillis() - killedAt;
      say(next.node() + " hosts the singleton with token " + next.singletonToken() + ", "
          + failover + " ms after the kill");
      NodeStatus later = await("tickets issued by the new host",
          s -> s.node().equals(next.node()) && s.tickets() > ticketsBefore);
      show();
      say("status endpoints (what StatusCommand prints):");
      var statusPorts = new ArrayList<Integer>();
      for (int port : options.ports()) {
        statusPorts.add(port + StatusCommand.STATUS_PORT_OFFSET);
      }
      List<StatusCommand.Row> rows = StatusCommand.fetch(statusPorts);
      StatusCommand.print(rows, out);
      JdbcTicketStore.bindH2ToLoopback();
      var database = JdbcTicketStore.summary(options.databaseUrl(), options.jdbcUser(),
          System.getenv().getOrDefault(DemoNode.JDBC_PASSWORD_ENV, ""));
      say("the tickets' database (" + options.databaseUrl() + "):");
      database.lines().forEach(l -> out.println("         " + l));
      return new Result(host.node(), oldToken, next.node(), next.singletonToken(), failover,
          ticketsBefore, later.tickets(), rows, database);
    } finally {
      stopAll();
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs anyway
      }
    }
  }

  private void start(int port) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = options.workDir().resolve("node-" + port + ".log");
    var command = List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Xss512k", "-cp", System.getProperty("java.class.path"), DemoNode.class.getName(),
        "--port", Integer.toString(port), "--seeds", join(options.seeds()),
        "--state-dir", options.workDir().resolve("state").toString(),
        "--jdbc-url", options.databaseUrl(), "--jdbc-user", options.jdbcUser(),
        "--watch-parent");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.add(p);
    byPort.put(port, p);
    Thread reader = new Thread(() -> pump(port, p, log), "node-" + port + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  private void pump(int port, Process p, Path log) {
    try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8));
         Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        w.write(line);
        w.write('\n');
        w.flush();
        NodeStatus.parse(line).ifPresent(s -> {
          if (p.isAlive()) {
            status.put(port, s);
          }
        });
      }
    } catch (IOException e) {
      // the node's output closed: it exited
    }
  }

  private NodeStatus await(String what, Predicate<NodeStatus> condition) throws Exception {
    long deadline = System.nanoTime() + options.timeout().toNanos();
    long lastShow = 0;
    while (System.nanoTime() < deadline) {
      for (var e : status.entrySet()) {
        if (byPort.get(e.getKey()).isAlive() && condition.test(e.getValue())) {
          return e.getValue();
        }
      }
      for (var e : byPort.entrySet()) {
        if (!e.getValue().isAlive() && status.containsKey(e.getKey())) {
          status.remove(e.getKey());
        }
      }
      if (System.nanoTime() - lastShow > 1_000_000_000L) {
        show();
        lastShow = System.nanoTime();
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    throw new IllegalStateException("timed out after " + options.timeout().toSeconds()
        + " s waiting for " + what + "; node logs are in " + options.workDir());
  }

  private void awaitVoters(int n) throws Exception {
    var statusPorts = new ArrayList<Integer>();
    for (int port : options.ports()) {
      statusPorts.add(port + StatusCommand.STATUS_PORT_OFFSET);
    }
    long deadline = System.nanoTime() + options.timeout().toNanos();
    while (System.nanoTime() < deadline) {
      if (StatusCommand.fetch(statusPorts).stream()
          .allMatch(r -> r.error().isEmpty() && r.voters() == n)) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new IllegalStateException("timed out after " + options.timeout().toSeconds()
        + " s waiting for all " + n + " nodes to be voters; node logs are in "
        + options.workDir());
  }

  private void awaitAll(String what, Predicate<NodeStatus> condition) throws Exception {
    long deadline = System.nanoTime() + options.timeout().toNanos();
    while (System.nanoTime() < deadline) {
      if (status.size() == options.ports().size()
          && status.values().stream().allMatch(condition)) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    throw new IllegalStateException("timed out after " + options.timeout().toSeconds()
        + " s waiting for " + what + "; node logs are in " + options.workDir());
  }

  private void show() {
    var sb = new StringBuilder();
    sb.append(String.format("%n[%5.1fs] %-16s %-8s %-16s %-5s %-10s %-12s %s%n", elapsed(),
        "node", "members", "leader", "term", "singleton", "last ticket", "refused by db"));
    for (int port : options.ports()) {
      Process p = byPort.get(port);
      NodeStatus s = status.get(port);
      if (p == null || !p.isAlive()) {
        sb.append(String.format("         %-16s %s%n", "127.0.0.1-" + port, "(not running)"));
      } else if (s == null) {
        sb.append(String.format("         %-16s %s%n", "127.0.0.1-" + port, "(starting)"));
      } else {
        sb.append(String.format("         %-16s %-8d %-16s %-5d %-10s %-12s %d%n", s.node(),
            s.members(), s.leader(), s.term(),
            s.singletonToken() > 0 ? "token " + s.singletonToken() : "-",
            s.singletonToken() > 0 ? Long.toString(s.tickets()) : "", s.refused()));
      }
    }
    out.print(sb);
    out.flush();
  }

  private void say(String text) {
    out.printf("[%5.1fs] %s%n", elapsed(), text);
    out.flush();
  }

  private double elapsed() {
    return (System.nanoTime() - startedAt) / 1e9;
  }

  /** Graceful stop (SIGTERM runs Pekko's coordinated shutdown), then force after a bound. */
  private void stopAll() {
    say("stopping the nodes");
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroy();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (Process p : processes) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    say("all nodes stopped");
  }

  private void destroyAll() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
  }

  private static int portOf(String nodeName) {
    return Integer.parseInt(nodeName.substring(nodeName.lastIndexOf('-') + 1));
  }

  private static void requireFree(int port) {
    try (var s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use: the demo needs"
          + " ports 2551-2553 (is another demo still running?)", e);
    }
  }

  private static String join(List<Integer> ports) {
    var sb = new StringBuilder();
    for (int p : ports) {
      sb.append(sb.length() == 0 ? "" : ",").append(p);
    }
    return sb.toString();
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean " + dir, e);
    }
  }
}
