package dev.regent.multijvm.harness;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downstream resource of a multi-JVM test: a key/value store in the test JVM that every node
 * writes to over loopback TCP, with a fencing token on each write. It remembers the highest token it
 * accepted and refuses every write with a lower one (DESIGN S4), and records every attempt in order
 * as a {@link HistoryEvent.WriteAttempt}. Not partitioned by {@code partition(...)}: like a
 * database, it stays reachable from both sides.
 *
 * <p>Line protocol, one request per connection: {@code WRITE <node> <pid> <token> <key> <value>}
 * answered by {@code ACCEPTED} or {@code REJECTED <highest token>}.
 */
public final class FencedResourceServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FencedResourceServer.class);

  private final ServerSocket server;
  private final Thread acceptor;
  private final List<HistoryEvent.WriteAttempt> writes = new ArrayList<>();
  private final Map<String, Long> data = new HashMap<>();
  private long highest = Long.MIN_VALUE;
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

  /** Decides one write: accepted unless a higher token was accepted before. */
  public synchronized boolean write(int node, long pid, long token, String key, long value) {
    boolean accepted = token >= highest;
    if (accepted) {
      highest = token;
      data.put(key, value);
    }
    writes.add(new HistoryEvent.WriteAttempt(node, pid, token, key, value, accepted,
        System.nanoTime(), System.currentTimeMillis()));
    return accepted;
  }

  public synchronized List<HistoryEvent.WriteAttempt> writes() {
    return List.copyOf(writes);
  }

  public synchronized Long get(String key) {
    return data.get(key);
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
    {
      try (Socket s = accepted) {
        s.setSoTimeout(60_000);
        var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        var out = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
        String line = in.readLine();
        if (line == null) {
          return;
        }
        String[] p = line.trim().split(" ");
        if (p.length == 6 && p[0].equals("WRITE")) {
          boolean ok = write(Integer.parseInt(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]),
              p[4], Long.parseLong(p[5]));
          long h;
          synchronized (this) {
            h = highest;
          }
          out.println(ok ? "ACCEPTED" : "REJECTED " + h);
        } else {
          out.println("ERR bad request");
        }
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          log.debug("fenced resource: request failed", e);
        }
      }
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
