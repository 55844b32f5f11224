package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.MultiJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Start-up speed, restart on the same port, and reaping: three plain Pekko cluster nodes start and
 * become Up (spawn-to-Up times are printed), one is restarted and rejoins, and after close() no
 * node process is left.
 */
class HarnessLifecycleTest {

  @Test
  void nodesComeUpRestartAndAreReapedOnClose() {
    var pids = new ArrayList<Long>();
    try (var cluster = MultiJvmCluster.builder("lifecycle").nodes(3).start()) {
      for (int i = 0; i < 3; i++) {
        pids.add(cluster.pid(i));
      }
      cluster.awaitAllUp(Duration.ofSeconds(90));
      for (int i = 0; i < 3; i++) {
        int n = i;
        cluster.awaitCondition("node " + n + " reported its spawn-to-Up time",
            Duration.ofSeconds(10), () -> !cluster.spawnToUpMillis(n).isEmpty());
        System.out.println("MEASURED lifecycle: node " + i + " spawn->Up (3 JVMs started together) "
            + cluster.spawnToUpMillis(i).get(0) + " ms");
      }

      long oldPid = cluster.pid(2);
      cluster.restart(2);
      assertNotEquals(oldPid, cluster.pid(2));
      assertFalse(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false));
      pids.add(cluster.pid(2));
      cluster.awaitRestartedUp(2, Duration.ofSeconds(90)); // same port
      cluster.awaitCondition("node 2 reported spawn-to-Up after restart", Duration.ofSeconds(10),
          () -> cluster.spawnToUpMillis(2).size() == 2);
      System.out.println("MEASURED lifecycle: node 2 restart spawn->Up (joining a running cluster) "
          + cluster.spawnToUpMillis(2).get(1) + " ms");
    }
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "node process " + pid + " still runs after close()");
    }
    assertEquals(4, pids.size());
    assertTrue(pids.stream().distinct().count() == 4);
  }
}
