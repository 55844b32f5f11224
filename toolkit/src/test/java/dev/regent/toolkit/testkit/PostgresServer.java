package dev.regent.toolkit.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: the Debian {@code postgresql} package's binaries,
 * {@code initdb} into a fresh directory under the system temp directory (prefix
 * {@value #DIR_PREFIX}, which {@code .ci/run} looks for to check that no server outlived the
 * build), listening on a free port of 127.0.0.1 and on a unix socket inside that directory only.
 *
 * <p>PostgreSQL refuses to run as root; when the tests run as root (CI) the server runs as the
 * {@code postgres} OS user that the Debian package creates ({@code setpriv}, which execs, so no
 * extra process stays between), with the directory handed to that user. Without the binaries the
 * start fails, naming the package: the tests never skip silently.
 *
 * <p>The server process is a small shell that starts the postmaster and waits on its standard
 * input: {@link #close()} closes that pipe and the shell shuts the postmaster down immediately
 * (SIGQUIT); if the test JVM dies, even by SIGKILL, the pipe closes too and the server goes with
 * it (and the shell removes the directory). {@link #close()} then kills by PID whatever is left and deletes the directory; a JVM
 * shutdown hook calls it when a test did not. Trust authentication (loopback and the private
 * socket only), fsync off: a test server.
 */
public final class PostgresServer implements AutoCloseable {

  /** Directory name prefix of every test server (checked by .ci/run). */
  public static final String DIR_PREFIX = "regent-pg-";

  public static final String USER = "regent";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

  private final Path dir;
  private final Path log;
  private final int port;
  private final Process process;
  private final Thread hook;
  private volatile boolean closed;

  private PostgresServer(Path dir, Path log, int port, Process process) {
    this.dir = dir;
    this.log = log;
    this.port = port;
    this.process = process;
    this.hook = new Thread(this::stop, "regent-pg-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Starts a server with {@code extraSettings} ({@code name=value}, as postgres -c takes). */
  public static PostgresServer start(String... extraSettings) {
    Path bin = binDir();
    Path dir;
    try {
      dir = Files.createTempDirectory(DIR_PREFIX);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    try {
      Path data = dir.resolve("data");
      Path socket = dir.resolve("socket");
      Files.createDirectories(socket);
      if (root) {
        run(List.of("chown", "-R", "postgres:postgres", dir.toString()), dir, Duration.ofSeconds(30));
      }
      var initdb = new ArrayList<String>(asUser(root));
      initdb.addAll(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
          "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"));
      run(initdb, dir, Duration.ofSeconds(120));
      Path log = dir.resolve("postgres.log");
      int port = Ports.freePort();
      var cmd = new ArrayList<String>(asUser(root));
      // The shell starts the postmaster, then waits for its own stdin to close (close() or the
      // death of this JVM) and shuts the postmaster down at once.
      // If this JVM died, nobody else removes the directory: the shell does, after the server.
      cmd.addAll(List.of("/bin/sh", "-c",
          "dir=$1; shift; \"$@\" & pg=$!; read -r _; kill -QUIT $pg 2>/dev/null; wait $pg;"
              + " rm -rf \"$dir\"", "regent-pg", dir.toString(),
          bin.resolve("postgres").toString(), "-D", data.toString(), "-p", Integer.toString(port),
          "-k", socket.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
          "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
          "-c", "max_connections=100", "-c", "shared_buffers=32MB"));
      for (String s : extraSettings) {
        cmd.add("-c");
        cmd.add(s);
      }
      Process p = new ProcessBuilder(cmd).directory(dir.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      var server = new PostgresServer(dir, log, port, p);
      try {
        server.awaitReady();
      } catch (RuntimeException | Error e) {
        server.close();
        throw e;
      }
      return server;
    } catch (IOException e) {
      deleteTree(dir);
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      deleteTree(dir);
      throw e;
    }
  }

  /** The JDBC URL of database {@code postgres} as the superuser {@value #USER}. */
  public String url() {
    return url("postgres");
  }

  /** The JDBC URL of {@code database} as the superuser {@value #USER}. */
  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
  }

  public int port() {
    return port;
  }

  /** Opens a connection to database {@code postgres}. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url());
  }

  /** Creates {@code database} (a plain identifier) and returns its JDBC URL. */
  public String createDatabase(String database) throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.setQueryTimeout(30);
      st.execute("CREATE DATABASE " + database);
    }
    return url(database);
  }

  /** The postmaster's process id (from postmaster.pid), if it has written one. */
  public Optional<Long> postmasterPid() {
    Path pidFile = dir.resolve("data").resolve("postmaster.pid");
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      String first = Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim();
      return Optional.of(Long.parseLong(first));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Stops the server (immediate shutdown, then SIGKILL by PID) and deletes its directory. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs (or ran) stop() anyway
    }
  }

  private synchronized void stop() {
    if (closed) {
      return;
    }
    closed = true;
    Optional<ProcessHandle> postmaster = postmasterPid().flatMap(ProcessHandle::of);
    List<ProcessHandle> tree = new ArrayList<>();
    postmaster.ifPresent(pm -> {
      tree.add(pm);
      pm.descendants().forEach(tree::add);
    });
    process.descendants().forEach(tree::add);
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // the shell is gone already; the kill below covers the postmaster
    }
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle h : tree) {
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
    // Wait for the killed processes to be gone (bounded; the directory is removed either way).
    try {
      CompletableFuture.allOf(tree.stream().map(ProcessHandle::onExit)
          .toArray(CompletableFuture[]::new)).get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // still alive after the bound: nothing more a test can do than remove its files
    }
    deleteTree(dir);
  }

  private void awaitReady() {
    SQLException[] last = {null};
    Await.until(START_TIMEOUT, () -> "PostgreSQL accepting connections on 127.0.0.1:" + port
        + " (last error: " + last[0] + "):\n" + logTail(), () -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("PostgreSQL exited during start-up (exit "
                + process.exitValue() + "):\n" + logTail());
          }
          try (Connection c = DriverManager.getConnection(url())) {
            return c.isValid(5);
          } catch (SQLException e) {
            last[0] = e;
            return false;
          }
        });
  }

  /** The last lines of the server's log, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static List<String> asUser(boolean root) {
    return root
        ? List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--")
        : List.of();
  }

  /**
   * The server binaries: {@code REGENT_PG_BINDIR}, else the newest
   * {@code /usr/lib/postgresql/<version>/bin} with an initdb (the Debian layout).
   */
  static Path binDir() {
    String env = System.getenv("REGENT_PG_BINDIR");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("postgres"))) {
        return p;
      }
      throw new IllegalStateException("REGENT_PG_BINDIR=" + env + " has no initdb and postgres");
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        Optional<Path> bin = versions.map(v -> v.resolve("bin"))
            .filter(b -> Files.isExecutable(b.resolve("initdb"))
                && Files.isExecutable(b.resolve("postgres")))
            .max(Comparator.comparingInt(PostgresServer::majorVersion));
        if (bin.isPresent()) {
          return bin.get();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("PostgreSQL server binaries not found (no"
        + " /usr/lib/postgresql/<version>/bin/initdb): install the Debian package 'postgresql'"
        + " (apt-get install postgresql; .ci/run does this) or point REGENT_PG_BINDIR at a"
        + " directory with initdb and postgres. The JDBC fencing tests need a real server and"
        + " do not skip.");
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString().split("\\.")[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void run(List<String> cmd, Path dir, Duration timeout) throws IOException {
    Path out = Files.createTempFile("regent-pg-cmd", ".log");
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      p.getOutputStream().close();
      boolean done;
      try {
        done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new IllegalStateException("interrupted: " + cmd, e);
      }
      if (!done) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s: " + cmd);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("failed (exit " + p.exitValue() + "): " + cmd + "\n"
            + Files.readString(out, StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: a file still open by a dying process
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }
}
