package dev.regent.multijvm.harness;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What a {@link NodeSetup} gets in the node JVM.
 *
 * @param index this node's index in the test cluster (0-based)
 * @param system the node's actor system (cluster provider, joined to the seed nodes)
 * @param stateDirectory the node's own state directory, kept across {@code restart(i)}; the harness
 *     also sets {@code regent.election.state-directory} to it
 * @param history where to report leader changes and singleton starts and stops
 * @param resource the fenced resource of this test, shared by all nodes (lives in the test JVM)
 * @param probes named values the test can read with {@code MultiJvmCluster.probe(i, name)} over
 *     the control channel ({@code PROBE name}); register with {@link #probe}
 */
public record NodeContext(int index, ActorSystem<?> system, Path stateDirectory,
    HistoryRecorder history, FencedResourceClient resource,
    Map<String, Supplier<String>> probes) {

  /** Lets the test read {@code value} (evaluated on each request) under {@code name}. */
  public void probe(String name, Supplier<String> value) {
    probes.put(name, value);
  }
}
