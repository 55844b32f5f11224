package dev.regent.multijvm.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One line request, one line reply over a Unix-domain socket: the transport of the control
 * channel and the fenced resource on the namespace backend, where the test JVM and the nodes share
 * the file system but no network. A blocking channel has no read timeout, so a timer closes the
 * channel when the exchange takes longer than its timeout (which ends the blocked read).
 */
final class UnixLines {

  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "regent-unix-socket-timeouts");
        t.setDaemon(true);
        return t;
      });

  private UnixLines() {}

  /** Opens a server socket at {@code path} (replacing a stale socket file). */
  static ServerSocketChannel listen(Path path) throws IOException {
    Files.deleteIfExists(path);
    var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path), 50);
    return server;
  }

  /** Sends {@code request} to the server at {@code path} and returns its reply line. */
  static String request(Path path, String request, Duration timeout) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ScheduledFuture<?> guard = closeAfter(ch, timeout);
      try {
        ch.connect(UnixDomainSocketAddress.of(path));
        writeLine(ch, request);
        String reply = readLine(ch);
        if (reply == null) {
          throw new IOException("connection closed without a reply");
        }
        return reply;
      } catch (IOException e) {
        if (!ch.isOpen()) {
          throw new IOException("no reply within " + timeout.toMillis() + " ms", e);
        }
        throw e;
      } finally {
        guard.cancel(false);
      }
    }
  }

  /**
   * Serves one accepted connection: reads one line (within {@code timeout}), answers it with
   * {@code handler}'s reply, closes.
   */
  static void serve(SocketChannel accepted, Duration timeout,
      java.util.function.UnaryOperator<String> handler) throws IOException {
    try (SocketChannel ch = accepted) {
      ScheduledFuture<?> guard = closeAfter(ch, timeout);
      try {
        String line = readLine(ch);
        if (line != null) {
          writeLine(ch, handler.apply(line));
        }
      } finally {
        guard.cancel(false);
      }
    }
  }

  private static ScheduledFuture<?> closeAfter(SocketChannel ch, Duration timeout) {
    return TIMER.schedule(() -> {
      try {
        ch.close();
      } catch (IOException ignored) {
        // closing is all we can do
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void writeLine(SocketChannel ch, String line) throws IOException {
    OutputStream out = Channels.newOutputStream(ch);
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Reads up to the first newline (at most 1 MiB); null at end of stream before any byte. */
  private static String readLine(SocketChannel ch) throws IOException {
    // One exchange per connection: buffering past the line loses nothing.
    var in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
        StandardCharsets.UTF_8), 8192);
    StringBuilder sb = new StringBuilder();
    int c;
    boolean any = false;
    while ((c = in.read()) != -1) {
      any = true;
      if (c == '\n') {
        return sb.toString();
      }
      if (sb.length() >= 1 << 20) {
        throw new IOException("line longer than 1 MiB");
      }
      sb.append((char) c);
    }
    return any ? sb.toString() : null;
  }
}
