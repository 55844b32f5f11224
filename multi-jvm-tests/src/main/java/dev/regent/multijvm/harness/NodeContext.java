package dev.regent.multijvm.harness;

import java.nio.file.Path;
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
 */
public record NodeContext(int index, ActorSystem<?> system, Path stateDirectory,
    HistoryRecorder history, FencedResourceClient resource) {}
