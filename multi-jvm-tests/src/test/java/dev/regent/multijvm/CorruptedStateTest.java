package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.MultiJvmCluster;
import dev.regent.multijvm.harness.NodeMain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A node whose election state file was damaged refuses to start and names the file. */
class CorruptedStateTest {

  @Test
  void corruptedStateFileRefusesToStartNamingTheFile() throws Exception {
    try (var c = MultiJvmCluster.builder("corrupted-state").nodes(1).setup(FencedCounterSetup.class)
        .config(FencedCounterSetup.CONFIG).start()) {
      c.awaitAllUp(Duration.ofSeconds(90));
      Singletons.awaitFirst(c);
      c.crash(0);
      Path stateFile;
      try (Stream<Path> s = Files.walk(c.stateDirectory(0))) {
        stateFile = s.filter(p -> p.getFileName().toString().equals("election-state"))
            .findFirst().orElseThrow();
      }
      String text = Files.readString(stateFile, StandardCharsets.UTF_8);
      Files.writeString(stateFile, text.replaceFirst("term=(\\d+)", "term=9$1"),
          StandardCharsets.UTF_8);
      c.restart(0);
      int status = c.awaitExit(0, Duration.ofSeconds(90));
      assertNotEquals(0, status);
      assertEquals(NodeMain.EXIT_SETUP_FAILED, status);
      String log = Files.readString(c.logFile(0), StandardCharsets.UTF_8);
      assertTrue(log.contains(stateFile.toAbsolutePath().toString()),
          "the log names " + stateFile + ":\n" + log.substring(Math.max(0, log.length() - 3000)));
      assertTrue(log.contains("REGENT-NODE-FAILED"), log);
    }
  }
}
