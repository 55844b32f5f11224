package dev.regent.toolkit.internal.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.metrics.RegentMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only HTTP status endpoint ({@code regent.status}), on the JDK's built-in HTTP server:
 * {@code GET /status} answers JSON with this node's view. Anything else gets a short 4xx; a
 * failure while answering gets a 500 with a one-line body (never a stack trace). One daemon
 * thread; stopped when the actor system terminates. Internal API: started by the election runtime,
 * which it reads through {@link StatusSource}.
 */
public final class StatusServer {

  private static final Logger log = LoggerFactory.getLogger(StatusServer.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final StatusSource runtime;
  private final HttpServer server;
  private final ExecutorService executor;

  private StatusServer(StatusSource runtime, HttpServer server, ExecutorService executor) {
    this.runtime = runtime;
    this.server = server;
    this.executor = executor;
  }

  /** Binds and starts the endpoint; it stops when the runtime's actor system terminates. */
  public static StatusServer start(StatusSource runtime, StatusSettings settings) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the Regent status endpoint to "
          + settings.host().getHostAddress() + ":" + settings.port() + " (regent.status.host, "
          + "regent.status.port)", e);
    }
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "regent-status-" + runtime.selfName());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    var status = new StatusServer(runtime, server, executor);
    server.createContext("/", status::handle);
    server.start();
    runtime.system().getWhenTerminated().thenRun(status::stop);
    log.info("Regent status endpoint on http://{}:{}/status", settings.host().getHostAddress(),
        server.getAddress().getPort());
    return status;
  }

  /** Where the endpoint listens (the actual port when configured with 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  public void stop() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        String path = ex.getRequestURI().getPath();
        if (!"/status".equals(path)) {
          reply(ex, 404, "text/plain", "not found: only GET /status\n");
        } else if (!"GET".equals(ex.getRequestMethod())) {
          ex.getResponseHeaders().set("Allow", "GET");
          reply(ex, 405, "text/plain", "method not allowed: only GET /status\n");
        } else {
          reply(ex, 200, "application/json", JSON.writeValueAsString(status()) + "\n");
        }
      } catch (RuntimeException e) {
        log.warn("Regent status endpoint failed to answer {} {}: {}", ex.getRequestMethod(),
            ex.getRequestURI(), e.toString());
        reply(ex, 500, "text/plain", "internal error\n");
      }
    }
  }

  private static void reply(HttpExchange ex, int code, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(code, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  /** This node's view as a JSON tree (maps, lists, strings, numbers). */
  Map<String, Object> status() {
    Leadership l = runtime.current();
    RegentMetrics m = runtime.metrics();
    var cluster = Cluster.get(runtime.system()).state();
    Set<String> unreachable = new TreeSet<>();
    for (Member u : cluster.getUnreachable()) {
      unreachable.add(u.address().toString());
    }
    var out = new LinkedHashMap<String, Object>();
    out.put("node", runtime.selfName());
    out.put("address", runtime.selfAddress().toString());
    out.put("term", l.term());
    // The cluster id the terms (and fencing tokens) belong to; null before this node has one.
    out.put("lineage", l.lineage() == dev.regent.toolkit.leadership.Lineage.NONE ? null
        : dev.regent.toolkit.leadership.Lineage.format(l.lineage()));
    out.put("leader", l.leader().map(id -> {
      var leader = new LinkedHashMap<String, Object>();
      leader.put("name", id.name());
      leader.put("address", l.leaderAddress().map(Object::toString).orElse(null));
      return (Object) leader;
    }).orElse(null));
    out.put("isLeader", l.isLeader());
    out.put("leaseRemainingMillis", l.holdsLease()
        ? Math.max(0, (l.leaseDeadlineNanos() - System.nanoTime()) / 1_000_000) : 0);
    out.put("voters", runtime.voterConfig().voters().stream().map(v -> v.name()).toList());
    var members = new ArrayList<Map<String, Object>>();
    for (Member mem : cluster.getMembers()) {
      var e = new LinkedHashMap<String, Object>();
      e.put("address", mem.address().toString());
      e.put("status", mem.status().toString());
      e.put("roles", new TreeSet<>(mem.getRoles()));
      e.put("reachable", !unreachable.contains(mem.address().toString()));
      members.add(e);
    }
    out.put("members", members);
    out.put("unreachable", List.copyOf(unreachable));
    out.put("singletons", singletons(l, m));
    out.put("metrics", metrics(m));
    return out;
  }

  private List<Map<String, Object>> singletons(Leadership l, RegentMetrics m) {
    var running = m.singletonsRunningHere();
    var names = new TreeSet<>(m.singletons().keySet());
    names.addAll(running.keySet());
    var out = new ArrayList<Map<String, Object>>();
    var seen = new HashSet<String>();
    for (String name : names) {
      if (!seen.add(name)) {
        continue;
      }
      var e = new LinkedHashMap<String, Object>();
      e.put("name", name);
      Long token = running.get(name);
      e.put("runningHere", token != null);
      e.put("fencingToken", token);
      // A singleton runs on the leader while it holds its lease: this node's view of where.
      e.put("runsOn", token != null ? runtime.selfAddress().toString()
          : l.leaderAddress().map(Object::toString).orElse(null));
      var g = m.singletons().get(name);
      if (g != null) {
        e.put("proxyBuffered", g.proxyBuffered());
        e.put("proxyDropped", g.proxyDroppedCount());
        e.put("proxyRefused", g.proxyRefusedCount());
        e.put("proxyUnconfirmed", g.proxyUnconfirmed());
        e.put("proxyResent", g.proxyResentCount());
        e.put("duplicateConfirmations", g.duplicateConfirmations());
        e.put("managerDropped", g.managerDroppedCount());
        e.put("instancesStartedHere", g.instancesStarted());
      }
      out.add(e);
    }
    return out;
  }

  private static Map<String, Object> metrics(RegentMetrics m) {
    var out = new LinkedHashMap<String, Object>();
    out.put("electionsStarted", m.electionsStarted());
    out.put("electionsWon", m.electionsWon());
    out.put("electionsLost", m.electionsLost());
    out.put("preVotesStarted", m.preVotesStarted());
    out.put("preVotesRejected", m.preVotesRejected());
    out.put("peerMessagesDropped", m.peerMessagesDroppedByKind());
    out.put("peerMessagesRejected", m.peerMessagesRejectedByReason());
    out.put("tlsConnectionsRefused", m.tlsConnectionsRefusedByKind());
    out.put("leaseRenewals", m.leaseRenewals());
    out.put("leaderTenureMillis", m.tenureNanos() / 1_000_000);
    out.put("leaderlessForMillis", m.leaderlessForNanos() / 1_000_000);
    out.put("totalLeaderlessMillis", m.totalLeaderlessNanos() / 1_000_000);
    out.put("failovers", m.failovers());
    out.put("lastFailoverMillis", m.lastFailoverNanos() / 1_000_000);
    out.put("stepDowns", m.stepDownsTotal());
    out.put("splitBrainDecisions", m.splitBrainDecisions());
    return out;
  }
}
