package dev.regent.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Prints the demo cluster's state as a table, read from each node's status endpoint
 * ({@code GET /status}; the demo nodes serve it on their cluster port + 1000):
 *
 * <pre>java -cp ... dev.regent.examples.demo.StatusCommand [--ports 3551,3552,3553]
 *     [--jdbc-url URL [--jdbc-user USER]]</pre>
 *
 * <p>Then the tickets' database: how many tickets it holds, the fence's token and the writes it
 * refused (the demo's embedded H2 file under target/regent-demo by default).
 */
public final class StatusCommand {

  /** The demo nodes serve their status on their cluster port plus this. */
  public static final int STATUS_PORT_OFFSET = 1000;

  /** One node's row; {@code error} is set when the node did not answer. */
  public record Row(int statusPort, String node, int members, String leader, long term,
                    long leaseRemainingMillis, int voters, String singleton, long token,
                    long elections, long failovers, long lastFailoverMillis,
                    Optional<String> error) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusCommand() {}

  public static void main(String[] args) {
    List<Integer> ports = List.of(3551, 3552, 3553);
    String jdbcUrl = JdbcTicketStore.defaultH2Url(java.nio.file.Path.of("target", "regent-demo"));
    String jdbcUser = "";
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--ports") && i + 1 < args.length) {
        var list = new ArrayList<Integer>();
        for (String p : args[++i].split(",")) {
          list.add(Integer.parseInt(p.trim()));
        }
        ports = list;
      } else if (args[i].equals("--jdbc-url") && i + 1 < args.length) {
        jdbcUrl = args[++i];
      } else if (args[i].equals("--jdbc-user") && i + 1 < args.length) {
        jdbcUser = args[++i];
      } else {
        System.err.println("usage: StatusCommand [--ports 3551,3552,3553] [--jdbc-url URL"
            + " [--jdbc-user USER]] (password in $" + DemoNode.JDBC_PASSWORD_ENV + ")");
        System.exit(2);
      }
    }
    print(fetch(ports), System.out);
    // The tickets' database: what it holds and the writes it refused.
    JdbcTicketStore.bindH2ToLoopback();
    try {
      JdbcTicketStore.summary(jdbcUrl, jdbcUser,
          System.getenv().getOrDefault(DemoNode.JDBC_PASSWORD_ENV, "")).lines()
          .forEach(System.out::println);
    } catch (java.sql.SQLException e) {
      System.out.println("database " + jdbcUrl + ": not readable (" + e.getMessage() + ")");
    }
  }

  /** Asks every port (on 127.0.0.1) for its status, with a short timeout each. */
  public static List<Row> fetch(List<Integer> statusPorts) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    var rows = new ArrayList<Row>();
    for (int port : statusPorts) {
      try {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
            .timeout(Duration.ofSeconds(2)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          rows.add(unreachable(port, "HTTP " + response.statusCode()));
          continue;
        }
        rows.add(row(port, JSON.readTree(response.body())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        rows.add(unreachable(port, "interrupted"));
      } catch (Exception e) {
        rows.add(unreachable(port, "not answering (" + e.getClass().getSimpleName() + ")"));
      }
    }
    return rows;
  }

  private static Row row(int port, JsonNode s) {
    int up = 0;
    for (JsonNode m : s.path("members")) {
      if (m.path("status").asText().equals("Up")) {
        up++;
      }
    }
    String singleton = "-";
    long token = 0;
    for (JsonNode sg : s.path("singletons")) {
      if (sg.path("runningHere").asBoolean()) {
        singleton = sg.path("name").asText();
        token = sg.path("fencingToken").asLong();
      }
    }
    JsonNode metrics = s.path("metrics");
    return new Row(port, s.path("node").asText(), up,
        s.path("leader").isObject() ? s.path("leader").path("name").asText() : "-",
        s.path("term").asLong(), s.path("leaseRemainingMillis").asLong(),
        s.path("voters").size(), singleton, token, metrics.path("electionsStarted").asLong(),
        metrics.path("failovers").asLong(), metrics.path("lastFailoverMillis").asLong(),
        Optional.empty());
  }

  private static Row unreachable(int port, String why) {
    return new Row(port, "127.0.0.1:" + port, 0, "-", 0, 0, 0, "-", 0, 0, 0, 0, Optional.of(why));
  }

  /** The table. */
  public static void print(List<Row> rows, PrintStream out) {
    out.printf("%-16s %-7s %-16s %-5s %-8s %-6s %-24s %-9s %-9s %s%n", "node", "members", "leader",
        "term", "lease ms", "voters", "singleton here (token)", "elections", "failovers",
        "last failover ms");
    for (Row r : rows) {
      if (r.error().isPresent()) {
        out.printf("%-16s %s%n", r.node(), r.error().get());
        continue;
      }
      out.printf("%-16s %-7d %-16s %-5d %-8d %-6d %-24s %-9d %-9d %d%n", r.node(), r.members(),
          r.leader(), r.term(), r.leaseRemainingMillis(), r.voters(),
          r.token() > 0 ? r.singleton() + " (" + r.token() + ")" : "-", r.elections(),
          r.failovers(), r.lastFailoverMillis());
    }
    out.flush();
  }
}
