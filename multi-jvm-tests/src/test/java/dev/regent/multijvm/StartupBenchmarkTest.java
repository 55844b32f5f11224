package dev.regent.multijvm;

import dev.regent.multijvm.harness.MultiJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Spawn-to-Up of a node joining a running two-node cluster, with and without the AppCDS archive
 * (five joins each, medians printed). Opt-in, as it only measures:
 * {@code mvn -pl multi-jvm-tests test -Dtest=StartupBenchmarkTest -Dregent.multijvm.bench=true}.
 */
@EnabledIfSystemProperty(named = "regent.multijvm.bench", matches = "true")
class StartupBenchmarkTest {

  @Test
  void spawnToUpWithAndWithoutAppCds() {
    for (boolean cds : new boolean[] {true, false}) {
      List<Long> joins = new ArrayList<>();
      try (var c = MultiJvmCluster.builder("startup-bench-" + (cds ? "cds" : "nocds")).nodes(3)
          .appCds(cds).start()) {
        c.awaitAllUp(Duration.ofSeconds(90));
        for (int run = 0; run < 5; run++) {
          c.restart(2);
          int expected = run + 2;
          c.awaitCondition("restarted node 2 is Up", Duration.ofSeconds(90),
              () -> c.spawnToUpMillis(2).size() == expected);
          joins.add(c.spawnToUpMillis(2).get(expected - 1));
        }
      }
      List<Long> sorted = joins.stream().sorted().toList();
      System.out.println("MEASURED spawn->Up of a joining node, AppCDS " + (cds ? "on" : "off")
          + ": " + joins + " ms, median " + sorted.get(sorted.size() / 2) + " ms");
    }
  }
}
