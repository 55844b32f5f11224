package dev.regent.multijvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.multijvm.harness.CpuHog;
import dev.regent.multijvm.harness.LoadAverage;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The loaded profile as a JUnit extension ({@code @ExtendWith(LoadedProfile.class)}): before the
 * class, a {@link CpuHog} with {@code regent.multijvm.load.threads} (default
 * {@link CpuHog#defaultThreads}) busy threads, ending by itself after 30 min, and a wait (at most
 * 2 min) until the 1-minute load average has reached twice the core count; before each test, a
 * check that the hog still runs; after the class, the hog killed by pid. One hog per class, not
 * per test: the load average follows a change with a time constant of a minute.
 */
final class LoadedProfile implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(LoadedProfile.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    int cores = Runtime.getRuntime().availableProcessors();
    int threads = Integer.getInteger("regent.multijvm.load.threads", CpuHog.defaultThreads());
    Path log = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target",
        "node-logs", "cpu-hog.log");
    CpuHog hog = CpuHog.start(threads, Duration.ofMinutes(30), log);
    context.getStore(NS).put("hog", hog);
    double reached = hog.awaitLoad(2.0 * cores, Duration.ofMinutes(2));
    System.out.println("MEASURED load: cpu hog pid " + hog.pid() + " with " + threads
        + " busy threads on " + cores + " cores; 1-minute load average before the first test: "
        + reached + " (1/5/15 min: " + LoadAverage.now() + ")");
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    CpuHog hog = context.getStore(NS).get("hog", CpuHog.class);
    assertTrue(hog != null && hog.isAlive(), "the cpu hog runs");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    CpuHog hog = context.getStore(NS).remove("hog", CpuHog.class);
    if (hog != null) {
      hog.close();
    }
  }
}
