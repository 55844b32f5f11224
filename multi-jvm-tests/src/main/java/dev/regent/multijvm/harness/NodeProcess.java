package dev.regent.multijvm.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a {@link MultiJvmCluster}: fixed index, port and directories, and a new JVM process
 * per (re)start. Every process it spawns is killed by a JVM shutdown hook if the test JVM exits
 * while it still runs.
 */
final class NodeProcess {

  private static final Logger log = LoggerFactory.getLogger(NodeProcess.class);

  /** Every node process of this JVM that may still run. */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (Process p : LIVE) {
        p.destroyForcibly();
      }
    }, "regent-multi-jvm-reaper"));
  }

  final int index;
  /** The node's Artery host: 127.0.0.1, or its own address on the namespace backend. */
  final String host;
  final int port;
  /** The control channel's Unix-domain socket (namespace backend), or null for loopback TCP. */
  final Path controlSocket;
  final Path dir;
  final Path logFile;
  Process process;
  volatile boolean expectedExit;
  volatile Integer unexpectedExit;
  volatile CompletableFuture<Void> exitRecorded = CompletableFuture.completedFuture(null);
  boolean paused;
  private OutputStream stdin;

  NodeProcess(int index, int port, Path dir, Path logFile) {
    this(index, "127.0.0.1", port, null, dir, logFile);
  }

  NodeProcess(int index, String host, int port, Path controlSocket, Path dir, Path logFile) {
    this.index = index;
    this.host = host;
    this.port = port;
    this.controlSocket = controlSocket;
    this.dir = dir;
    this.logFile = logFile;
  }

  String address() {
    return host + ":" + port;
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /**
   * Starts a new process running {@code cmd}, its output appended to the node's log. When it
   * exits, {@code events} gets a {@link HistoryEvent.NodeExited}; an exit that was not expected
   * (and not after {@code closed}) is remembered in {@link #unexpectedExit}.
   */
  void spawn(List<String> cmd, String testName, Consumer<HistoryEvent> events,
      BooleanSupplier closed) {
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(dir.resolve(NodeMain.CONTROL_PORT_FILE));
      var pb = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .redirectInput(ProcessBuilder.Redirect.PIPE);
      Files.writeString(logFile, "=== harness: spawning node " + index + ": " + String.join(" ", cmd)
          + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      var withSpawnTime = new java.util.ArrayList<>(cmd);
      withSpawnTime.add("--spawn-nanos");
      withSpawnTime.add(Long.toString(System.nanoTime()));
      pb.command(withSpawnTime);
      expectedExit = false;
      unexpectedExit = null;
      paused = false;
      Process p = pb.start();
      LIVE.add(p);
      process = p;
      // Kept open for the node's whole life: its end-of-file tells the node its parent died.
      stdin = p.getOutputStream();
      long pid = p.pid();
      exitRecorded = p.onExit().thenAccept(done -> {
        int code = done.exitValue();
        events.accept(new HistoryEvent.NodeExited(index, pid, code, System.nanoTime(),
            System.currentTimeMillis()));
        LIVE.remove(done);
        if (!expectedExit && !closed.getAsBoolean()) {
          unexpectedExit = code;
          log.warn("{}: node {} (pid {}) exited with status {}; log: {}", testName, index, pid,
              code, logFile);
        }
      });
      log.info("{}: node {} spawned, pid {}, {}, log {}", testName, index, pid, address(), logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spawn node " + index, e);
    }
  }

  /** SIGKILLs the process (also a paused one); the exit counts as expected. */
  void kill() {
    expectedExit = true;
    process.destroyForcibly();
  }

  /** Sends {@code sig} ({@code STOP}, {@code CONT}) to the process. */
  void signal(String sig) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid()))
          .redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  int awaitExit(Duration timeout) {
    expectedExit = true;
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("node " + index + " (pid " + process.pid()
            + ") did not exit within " + timeout.toMillis() + " ms; see " + logFile);
      }
      exitRecorded.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e);
    }
    closeStdin();
    return process.exitValue();
  }

  /** After {@link #kill}: waits up to 30 s for the process to be gone and releases it. */
  void reap() {
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeStdin();
    if (!process.isAlive()) {
      LIVE.remove(process);
    }
  }

  void closeStdin() {
    try {
      if (stdin != null) {
        stdin.close();
      }
    } catch (IOException e) {
      log.debug("closing stdin of node {} failed", index, e);
    }
  }
}
