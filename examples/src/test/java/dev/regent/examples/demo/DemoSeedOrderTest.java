package dev.regent.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 scenario 9 (islands): README's run-by-hand commands start every node with
 * {@code --seeds 2551,2552}; restarting the node on 2551 that way made it form its own one-node
 * Pekko cluster in 3 of 6 restarts under random crashes and pauses. A demo node with election state
 * now puts itself last among its seeds, so Pekko never lets it form a cluster by itself.
 */
class DemoSeedOrderTest {

  @Test
  void aFreshNodeKeepsTheGivenOrder() {
    assertEquals(List.of(2551, 2552), DemoNode.seedOrder(2551, List.of(2551, 2552), false, false));
  }

  @Test
  void aNodeWithStateNeverListsItselfFirst() {
    assertEquals(List.of(2552, 2551), DemoNode.seedOrder(2551, List.of(2551, 2552), true, false));
    assertEquals(List.of(2551, 2552), DemoNode.seedOrder(2553, List.of(2551, 2552), true, false));
  }

  @Test
  void formClusterPutsItselfFirst() {
    assertEquals(List.of(2552, 2551), DemoNode.seedOrder(2552, List.of(2551, 2552), true, true));
  }

  @Test
  void stateIsFoundUnderTheNodesDefaultName(@TempDir Path dir) throws Exception {
    assertFalse(DemoNode.hasElectionState(dir, 2551));
    Path nodeDir = dir.resolve("127.0.0.1-2551");
    Files.createDirectories(nodeDir);
    Files.writeString(nodeDir.resolve("election-state"), "x");
    assertTrue(DemoNode.hasElectionState(dir, 2551));
  }
}
