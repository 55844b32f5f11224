package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * No node outlives the JVM that spawned it, even when that JVM is SIGKILLed (no shutdown hook, no
 * close()): the node's watchdog sees its stdin close / its parent vanish and halts.
 */
class ParentWatchdogTest {

  @Test
  void nodeExitsWhenItsParentIsKilled() throws Exception {
    Path target = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target");
    Path out = target.resolve("watchdog-intermediate.out");
    Files.deleteIfExists(out);
    String java = ProcessHandle.current().info().command().orElse("java");
    Process parent = new ProcessBuilder(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
        "-Dbasedir=" + target.getParent(), "-cp", System.getProperty("java.class.path"),
        IntermediateParent.class.getName()))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    long childPid = -1;
    try {
      childPid = Await.value(Duration.ofSeconds(120), Duration.ofMillis(100),
          "the intermediate JVM reports its node's pid", () -> {
            try {
              return Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                  .filter(l -> l.startsWith("CHILD-PID ")).findFirst()
                  .map(l -> Long.parseLong(l.substring(10).trim())).orElse(null);
            } catch (IOException e) {
              return null;
            }
          });
      long pid = childPid;
      assertTrue(alive(pid), "node runs before its parent is killed");
      assertEquals(Optional.of(parent.pid()),
          ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid));

      parent.destroyForcibly(); // SIGKILL: the intermediate's own reaping cannot run
      assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
      Await.eventually(Duration.ofSeconds(30), Duration.ofMillis(100),
          "node " + pid + " exits after its parent died", () -> !alive(pid));
      String log = Files.readString(target.resolve("node-logs/watchdog-child/node-0.log"));
      assertTrue(log.contains("the harness is gone, halting"), log);
    } finally {
      if (parent.isAlive()) {
        parent.destroyForcibly();
      }
      if (childPid > 0) {
        ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
