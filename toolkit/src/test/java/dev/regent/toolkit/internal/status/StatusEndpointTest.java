package dev.regent.toolkit.internal.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.config.InvalidSettingsException;
import dev.regent.toolkit.metrics.SingletonGauges;
import dev.regent.toolkit.testkit.TestCluster;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status endpoint over real HTTP: content, malformed requests, refusing non-loopback. */
public class StatusEndpointTest {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private TestCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static URI uri(ActorSystem<?> s, String path) {
    var a = RegentElection.get(s).statusAddress().orElseThrow();
    return URI.create("http://127.0.0.1:" + a.getPort() + path);
  }

  static HttpResponse<String> send(HttpRequest r) throws Exception {
    return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
  }

  /** GET /status of {@code s}, parsed. */
  public static JsonNode getStatus(ActorSystem<?> s) throws Exception {
    var r = send(HttpRequest.newBuilder(uri(s, "/status")).timeout(Duration.ofSeconds(5))
        .GET().build());
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    return JSON.readTree(r.body());
  }

  @Test
  void servesStatusAndRejectsMalformedRequests() throws Exception {
    cluster = new TestCluster(dir);
    ActorSystem<Void> s = cluster.startNode(0, "regent.status.enabled = on");
    var a = RegentElection.get(s).statusAddress().orElseThrow();
    assertTrue(a.getAddress().isLoopbackAddress(), "bound to " + a);
    // What the singleton module registers for each singleton (it cannot be used from here).
    var metrics = RegentElection.get(s).metrics();
    metrics.registerSingleton("ticket-allocator", new SingletonGauges() {
      public int proxyBuffered() {
        return 2;
      }

      public long proxyDroppedCount() {
        return 1;
      }

      public long managerDroppedCount() {
        return 0;
      }

      public long instancesStarted() {
        return 1;
      }
    });
    cluster.awaitAllUp(Duration.ofSeconds(30));
    cluster.awaitLeader(Duration.ofSeconds(30));
    metrics.singletonStarted("ticket-allocator", RegentElection.get(s).current().term());

    JsonNode status = getStatus(s);
    assertEquals(RegentElection.get(s).selfId().name(), status.get("node").asText());
    assertEquals(RegentElection.get(s).current().term(), status.get("term").asLong());
    assertTrue(status.get("isLeader").asBoolean());
    assertEquals(status.get("node").asText(), status.get("leader").get("name").asText());
    assertEquals(1, status.get("members").size());
    assertEquals("Up", status.get("members").get(0).get("status").asText());
    assertTrue(status.get("members").get(0).get("reachable").asBoolean());
    assertEquals(0, status.get("unreachable").size());
    JsonNode singleton = status.get("singletons").get(0);
    assertEquals("ticket-allocator", singleton.get("name").asText());
    assertTrue(singleton.get("runningHere").asBoolean());
    assertEquals(status.get("term").asLong(), singleton.get("fencingToken").asLong());
    assertEquals(status.get("address").asText(), singleton.get("runsOn").asText());
    assertEquals(2, singleton.get("proxyBuffered").asInt());

    // Wrong method, unknown paths: a 4xx with a short body, never a stack trace.
    var post = send(HttpRequest.newBuilder(uri(s, "/status"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    assertEquals(405, post.statusCode());
    assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
    assertShort(post.body());
    for (String path : new String[] {"/", "/status/x", "/statusx", "/metrics"}) {
      var r = send(HttpRequest.newBuilder(uri(s, path)).GET().build());
      assertEquals(404, r.statusCode(), path);
      assertShort(r.body());
    }
    // A request line that is not HTTP at all: the server answers 400 or closes; it stays up.
    try (Socket socket = new Socket("127.0.0.1", a.getPort())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write("NONSENSE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String reply = new String(in.readNBytes(200), StandardCharsets.US_ASCII);
      assertTrue(reply.isEmpty() || reply.startsWith("HTTP/1.1 4"), reply);
      assertShort(reply);
    }
    assertEquals(status.get("node").asText(), getStatus(s).get("node").asText());
  }

  private static void assertShort(String body) {
    assertTrue(body.length() < 300, body);
    assertFalse(body.contains("Exception") || body.contains("\tat "), body);
  }

  @Test
  void refusesNonLoopbackUnlessAllowed() {
    cluster = new TestCluster(dir);
    ActorSystem<Void> s = cluster.startSystem(0,
        "regent.status.enabled = on\nregent.status.host = \"0.0.0.0\"");
    var e = assertThrows(InvalidSettingsException.class, () -> RegentElection.get(s));
    assertTrue(e.keys().contains("regent.status.allow-non-loopback"), e.getMessage());
    assertTrue(e.getMessage().contains("regent.status.allow-non-loopback = on"), e.getMessage());

    // Allowed explicitly: accepted (not bound here, to keep the test off other interfaces).
    var ok = StatusSettings.create(ConfigFactory.parseString("""
        regent.status { enabled = on, host = "0.0.0.0", port = 0, allow-non-loopback = on }
        """));
    assertTrue(ok.enabled() && ok.allowNonLoopback());
    // Off: the host is not checked against loopback.
    var off = StatusSettings.create(ConfigFactory.parseString("""
        regent.status { enabled = off, host = "0.0.0.0", port = 0, allow-non-loopback = off }
        """));
    assertFalse(off.enabled());
    var badPort = assertThrows(InvalidSettingsException.class, () -> StatusSettings.create(
        ConfigFactory.parseString("""
            regent.status { enabled = on, host = "127.0.0.1", port = 70000,
              allow-non-loopback = off }
            """)));
    assertEquals(java.util.List.of("regent.status.port"), badPort.keys());
  }

  @Test
  void offByDefault() {
    cluster = new TestCluster(dir);
    ActorSystem<Void> s = cluster.startNode();
    assertTrue(RegentElection.get(s).statusAddress().isEmpty());
  }
}
