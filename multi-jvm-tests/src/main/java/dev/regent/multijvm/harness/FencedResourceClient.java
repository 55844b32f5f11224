package dev.regent.multijvm.harness;

import dev.regent.toolkit.fencing.FencingToken;
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

/**
 * A node's handle on the test's {@link FencedResourceServer}. Blocking; call it from a thread that
 * may block (a dedicated dispatcher, or {@code CompletableFuture.supplyAsync}).
 */
public final class FencedResourceClient {

  private final int port;
  /** The resource's Unix-domain socket (namespace backend), or null for loopback TCP. */
  private final java.nio.file.Path socket;
  private final int node;
  private final long pid = ProcessHandle.current().pid();

  public FencedResourceClient(int port, int node) {
    this.port = port;
    this.socket = null;
    this.node = node;
  }

  /** A client of a resource listening on the Unix-domain socket {@code socket}. */
  public FencedResourceClient(java.nio.file.Path socket, int node) {
    this.port = 0;
    this.socket = socket;
    this.node = node;
  }

  /**
   * Writes {@code value} under {@code key} with fencing token {@code token} (its lineage and term
   * both travel: the resource pins a lineage and refuses every other).
   *
   * @return whether the resource accepted the write
   */
  public boolean write(FencingToken token, String key, long value) {
    if (key.isEmpty() || key.contains(" ") || key.contains("\n")) {
      throw new IllegalArgumentException("key must be a non-empty word: '" + key + "'");
    }
    String request = FencedResourceServer.request(node, pid, token, key, value);
    if (socket != null) {
      try {
        return UnixLines.request(socket, request, java.time.Duration.ofSeconds(5))
            .startsWith("ACCEPTED");
      } catch (IOException e) {
        throw new UncheckedIOException("fenced resource at " + socket + " unreachable", e);
      }
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      s.setSoTimeout(5000);
      var out = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
      out.println(request);
      String reply = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
      if (reply == null) {
        throw new IOException("no reply from the fenced resource");
      }
      return reply.startsWith("ACCEPTED");
    } catch (IOException e) {
      throw new UncheckedIOException("fenced resource on port " + port + " unreachable", e);
    }
  }
}
