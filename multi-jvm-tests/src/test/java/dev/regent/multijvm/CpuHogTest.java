package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.CpuHog;
import dev.regent.toolkit.testkit.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The CPU hog of the loaded profile: it burns CPU, it is gone after {@code close()} (killed by
 * pid), and it ends by itself at its time limit. One busy thread each, so the test itself loads
 * the machine little.
 */
class CpuHogTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static long cpuMillis(long pid) {
    return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration())
        .map(Duration::toMillis).orElse(0L);
  }

  @Test
  void burnsCpuAndIsKilledByPidOnClose() {
    long pid;
    try (var hog = CpuHog.start(1, Duration.ofMinutes(2))) {
      pid = hog.pid();
      assertTrue(hog.isAlive());
      // Its own JVM's start-up counts too; 1 s of CPU beyond that needs a spinning thread.
      Await.until(WAIT, "the hog used CPU", () -> cpuMillis(pid) >= 1_000);
    }
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
        "hog pid " + pid + " still runs after close()");
  }

  @Test
  void endsByItselfAtItsTimeLimit() {
    try (var hog = CpuHog.start(1, Duration.ofSeconds(2))) {
      Await.until(WAIT, "the hog ended by itself", () -> !hog.isAlive());
    }
  }
}
