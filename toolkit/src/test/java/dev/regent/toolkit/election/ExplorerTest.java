package dev.regent.toolkit.election;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExplorerTest {

  @Test
  void probe() {
    for (int d = 4; d <= Integer.getInteger("regent.explore.depth", 8); d++) {
      var r = new Explorer(Explorer.Options.of(Explorer.Scenario.THREE, d)).run();
      System.out.println(r.report());
      assertEquals(0, r.violations().size());
    }
  }
}
