package dev.regent.multijvm;

import dev.regent.multijvm.harness.CpuHog;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The failure suite's loaded profile: every {@link FailureSuiteTest} scenario, unchanged, while a
 * {@link CpuHog} keeps the machine's cores over-subscribed (by default {@link
 * CpuHog#defaultThreads()} busy threads: a load average of at least twice the core count from the
 * hog alone). Each test prints the usual {@code MEASURED} lines, among them {@code MEASURED
 * same-term restarts: N} (goal 0), {@code MEASURED suspensions: N} and {@code MEASURED load:
 * average N}, and must pass the history checker as in the unloaded suite. Node logs go to
 * {@code target/node-logs/loaded-<test>/} and carry each node's GC pauses ({@code -Xlog:gc}).
 *
 * <p>Opt-in: runs only with {@code -Dregent.multijvm.load=on} (docs/MULTI-JVM.md, "The loaded
 * profile", says why it is not part of the default build). Busy threads:
 * {@code -Dregent.multijvm.load.threads=N}.
 *
 * <p>One hog for the whole class rather than one per test: the 1-minute load average follows a
 * change in load with a time constant of a minute, so a hog started per test would spend most of a
 * short test ramping up. The hog is started once, the suite waits (at most 2 min) until the load
 * average has reached twice the core count, and each test checks that the hog still runs. The hog
 * ends by itself after 30 min and is killed by pid after the last test ({@link LoadedProfile}).
 */
@EnabledIfSystemProperty(named = "regent.multijvm.load", matches = "on")
@ExtendWith(LoadedProfile.class)
class LoadedFailureSuiteTest extends FailureSuiteTest {

}
