package dev.regent.toolkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.config.InvalidSettingsException;
import dev.regent.toolkit.testkit.TestCluster;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The election refuses to start on unsafe configuration, naming the key. */
class RegentElectionConfigTest {

  @TempDir
  Path stateRoot;

  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void unsafeLeaseRefusesToStartNamingTheKey() {
    cluster = new TestCluster(stateRoot);
    ActorSystem<Void> system = cluster.startSystem(0, "regent.election.lease = 900ms");
    Throwable e = assertThrows(Throwable.class, () -> RegentElection.get(system));
    Throwable cause = e;
    while (!(cause instanceof InvalidSettingsException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    assertTrue(cause instanceof InvalidSettingsException, () -> "not a settings error: " + e);
    assertTrue(cause.getMessage().contains("regent.election.lease"), cause.getMessage());
    // Nothing was started: no election actor runs on this system.
    assertTrue(stateRoot.toFile().list() == null || stateRoot.toFile().list().length == 0,
        "no state was written");
  }
}
