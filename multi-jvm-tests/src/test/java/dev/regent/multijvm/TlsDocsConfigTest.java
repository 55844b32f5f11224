package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.regent.multijvm.harness.TestPki;
import dev.regent.toolkit.testkit.Ports;
import dev.regent.toolkit.testkit.TestCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production configuration in docs/TLS.md, as a user would copy it (only the secret directory,
 * host and port replaced), runs a Regent cluster: two nodes over mutual TLS in untrusted mode join
 * and elect a leader.
 */
class TlsDocsConfigTest {

  @TempDir Path tmp;
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static String documentedConfig() throws IOException {
    Path doc = Path.of(System.getProperty("basedir", "."), "..", "docs", "TLS.md");
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("```hocon\\n(.*?)```", Pattern.DOTALL).matcher(text);
    assertTrue(m.find(), "docs/TLS.md has a ```hocon block");
    return m.group(1);
  }

  @Test
  void theDocumentedConfigurationRunsACluster() throws IOException {
    String documented = documentedConfig();
    assertTrue(documented.contains("/var/run/secrets/regent-tls/")
        && documented.contains("node-1.internal.example") && documented.contains("7355"),
        "the placeholders this test replaces are still in the documented block");
    TestPki ca = TestPki.newCa("docs CA");
    cluster = new TestCluster(tmp.resolve("state"));
    for (int i = 0; i < 2; i++) {
      Path secrets = tmp.resolve("node-" + i);
      ca.writePem(secrets, ca.issue("node-" + i, List.of(TlsClusterTest.CLUSTER_NAME)));
      int port = Ports.freePort();
      String config = documented
          .replace("/var/run/secrets/regent-tls/", secrets.toAbsolutePath() + "/")
          .replace("node-1.internal.example", "127.0.0.1")
          .replace("7355", Integer.toString(port));
      cluster.startNode(port, "", ConfigFactory.parseString(config));
    }
    cluster.awaitAllUp(Duration.ofSeconds(60));
    cluster.awaitVoters(Duration.ofSeconds(60));
    cluster.awaitLeader(Duration.ofSeconds(60));
  }
}
