package dev.regent.multijvm.harness;

import dev.regent.toolkit.fencing.FencingGuard;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.leadership.Lineage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downstream resource of a multi-JVM test: a key/value store in the test JVM that every node
 * writes to over loopback TCP, with a fencing token (lineage and term) on each write. It decides
 * with the toolkit's {@link FencingGuard}, the rule a real resource uses: the first accepted token
 * pins its lineage, a token of any other lineage is refused whatever its term, and within the
 * pinned lineage a write with a lower token than one already accepted is refused (S4, README "The
 * safety contract"). Every attempt is recorded in order as a {@link HistoryEvent.WriteAttempt}.
 * Not partitioned by {@code partition(...)}: like a database, it stays reachable from both sides.
 *
 * <p>Line protocol, one request per connection:
 * {@code WRITE <node> <pid> <lineage> <token> <key> <value>}, the lineage as 16 hex digits
 * ({@link Lineage#format}), answered by {@code ACCEPTED} or
 * {@code REJECTED <pinned lineage> <highest token>}.
 */
public final class FencedResourceServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FencedResourceServer.class);

  private final ServerSocket server;
  private final Thread acceptor;
  private final List<HistoryEvent.WriteAttempt> writes = new ArrayList<>();
  private final Map<String, Long> data = new HashMap<>();
  /** Check and write happen under this object's lock, so a deposed writer cannot overtake. */
  private final FencingGuard guard = new FencingGuard();
  private volatile boolean closed;
  private final java.util.concurrent.ExecutorService requests =
      java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "regent-fenced-resource-request");
        t.setDaemon(true);
        return t;
      });

  public FencedResourceServer() {
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the fenced resource's port", e);
    }
    acceptor = new Thread(this::acceptLoop, "regent-fenced-resource");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The request line {@link FencedResourceClient} sends for one write. */
  static String request(int node, long pid, FencingToken token, String key, long value) {
    return "WRITE " + node + " " + pid + " " + Lineage.format(token.lineage()) + " "
        + token.value() + " " + key + " " + value;
  }

  /**
   * Decides one write with the {@link FencingGuard}: accepted when {@code token} is of the pinned
   * lineage (or pins it, for the first accepted write) and not older than one accepted before.
   */
  public synchronized boolean write(int node, long pid, FencingToken token, String key,
      long value) {
    boolean accepted = guard.tryAccept(token);
    if (accepted) {
      data.put(key, value);
    }
    writes.add(new HistoryEvent.WriteAttempt(node, pid, token.lineage(), token.value(), key, value,
        accepted, System.nanoTime(), System.currentTimeMillis()));
    return accepted;
  }

  public synchronized List<HistoryEvent.WriteAttempt> writes() {
    return List.copyOf(writes);
  }

  public synchronized Long get(String key) {
    return data.get(key);
  }

  /** The lineage the resource is pinned to (by the first accepted write), if any. */
  public OptionalLong lineage() {
    return guard.lineage();
  }

  /** The largest token accepted so far, in the pinned lineage. */
  public Optional<FencingToken> highestToken() {
    return guard.highest();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket accepted;
      try {
        accepted = server.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("fenced resource: accept failed", e);
        }
        continue;
      }
      // One thread per request: a node SIGSTOPped in the middle of a request must not stall the
      // other nodes' writes.
      requests.execute(() -> serve(accepted));
    }
  }

  private void serve(Socket accepted) {
    try (Socket s = accepted) {
      s.setSoTimeout(60_000);
      var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      var out = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
      String line = in.readLine();
      if (line == null) {
        return;
      }
      out.println(answer(line));
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        log.debug("fenced resource: request failed", e);
      }
    }
  }

  /** Parses and decides one request line; the reply line. */
  String answer(String line) {
    String[] p = line.trim().split(" ");
    if (p.length != 7 || !p[0].equals("WRITE")) {
      return "ERR bad request";
    }
    FencingToken token;
    try {
      token = FencingToken.of(Lineage.parse(p[3]), Long.parseLong(p[4]));
    } catch (NumberFormatException e) {
      return "ERR bad token";
    }
    synchronized (this) {
      if (write(Integer.parseInt(p[1]), Long.parseLong(p[2]), token, p[5], Long.parseLong(p[6]))) {
        return "ACCEPTED";
      }
      // Refused, so something is pinned and accepted: a guard that only ever pins by accepting.
      FencingToken highest = guard.highest().orElseThrow();
      return "REJECTED " + Lineage.format(highest.lineage()) + " " + highest.value();
    }
  }

  @Override
  public void close() {
    closed = true;
    requests.shutdownNow();
    try {
      server.close();
    } catch (IOException e) {
      log.debug("closing the fenced resource failed", e);
    }
  }
}
