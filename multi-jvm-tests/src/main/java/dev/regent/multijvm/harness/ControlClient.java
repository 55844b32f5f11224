package dev.regent.multijvm.harness;

import dev.regent.toolkit.testkit.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The harness's side of a node's control channel ({@link ControlServer}): one line request, one
 * line reply ({@code OK <text>} or {@code ERR <text>}) over loopback TCP, on the port the node
 * wrote to {@link NodeMain#CONTROL_PORT_FILE}; on the namespace backend over the node's Unix-domain
 * socket (once that file exists: the node writes it after its server listens).
 */
final class ControlClient {

  static final Duration TIMEOUT = Duration.ofSeconds(15);
  /** How often waits poll the nodes over their control channels. */
  static final Duration POLL = Duration.ofMillis(100);

  private static final String NOT_READY = "ERR not-ready";

  private ControlClient() {}

  /** Sends one request; returns the text after {@code OK }; throws on {@code ERR}. */
  static String request(NodeProcess n, String request) {
    String reply = raw(n, request);
    if (reply.startsWith("OK")) {
      return reply.length() > 3 ? reply.substring(3) : "";
    }
    throw new IllegalStateException("node " + n.index + " answered " + request + " with: " + reply);
  }

  /**
   * Like {@link #request}, but while the node answers that its actor system is still starting (a
   * node just (re)started), asks again every 100 ms for up to 60 s.
   */
  static String whenReady(NodeProcess n, String request) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      String reply = raw(n, request);
      if (!reply.startsWith(NOT_READY)) {
        if (reply.startsWith("OK")) {
          return reply.length() > 3 ? reply.substring(3) : "";
        }
        throw new IllegalStateException(
            "node " + n.index + " answered " + request + " with: " + reply);
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("node " + n.index + " still not ready for " + request
            + " after 60 s; see " + n.logFile);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Waits up to 60 s until the node's control channel answers {@code STATUS}. */
  static void awaitAnswering(NodeProcess n) {
    Await.eventually(Duration.ofSeconds(60), POLL, "control channel of node " + n.index,
        () -> raw(n, "STATUS").startsWith("OK"));
  }

  private static String raw(NodeProcess n, String request) {
    if (!n.isAlive()) {
      throw new IllegalStateException("node " + n.index + " is not running");
    }
    if (n.paused) {
      throw new IllegalStateException(
          "node " + n.index + " is paused and cannot answer " + request);
    }
    Path portFile = n.dir.resolve(NodeMain.CONTROL_PORT_FILE);
    int port = Await.value(TIMEOUT, POLL, "control port of node " + n.index, () -> {
      try {
        return Files.exists(portFile) ? Integer.parseInt(Files.readString(portFile).trim()) : null;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    if (n.controlSocket != null) {
      try {
        return UnixLines.request(n.controlSocket, request, TIMEOUT);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "node " + n.index + ": control request " + request + " failed", e);
      }
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      s.setSoTimeout((int) TIMEOUT.toMillis());
      var out = new PrintWriter(
          new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
      out.println(request);
      String reply = new BufferedReader(
          new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
      if (reply == null) {
        throw new IOException("connection closed");
      }
      return reply;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "node " + n.index + ": control request " + request + " failed", e);
    }
  }
}
