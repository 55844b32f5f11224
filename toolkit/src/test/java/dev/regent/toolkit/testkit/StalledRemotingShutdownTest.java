package dev.regent.toolkit.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard of the test-side workaround: it may only ever act on a system whose remoting is
 * already shutting down, never on a live node.
 */
class StalledRemotingShutdownTest {

  @TempDir Path tmp;

  @Test
  void aLiveNodeIsNotShuttingDownATerminatedOneIs() {
    try (TestCluster cluster = new TestCluster(tmp)) {
      ActorSystem<Void> node = cluster.startNode();
      cluster.awaitAllUp(Duration.ofSeconds(30));
      assertFalse(StalledRemotingShutdown.transportShuttingDown(node.classicSystem()),
          "a live node's transport must not count as shutting down");
      cluster.terminate(node);
      assertTrue(StalledRemotingShutdown.transportShuttingDown(node.classicSystem()),
          "a terminated node's transport has been shut down");
    }
  }
}
