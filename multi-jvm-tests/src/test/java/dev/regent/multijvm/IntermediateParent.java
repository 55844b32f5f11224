package dev.regent.multijvm;

import dev.regent.multijvm.harness.MultiJvmCluster;
import java.time.Duration;

/**
 * For {@link ParentWatchdogTest}: a JVM between the test and a node. Starts a one-node cluster,
 * prints {@code CHILD-PID <pid>} once the node is Up, then waits to be killed.
 */
public final class IntermediateParent {

  private IntermediateParent() {}

  public static void main(String[] args) throws Exception {
    var cluster = MultiJvmCluster.builder("watchdog-child").nodes(1).start();
    cluster.awaitAllUp(Duration.ofSeconds(90));
    System.out.println("CHILD-PID " + cluster.pid(0));
    System.out.flush();
    // Block until killed (the test SIGKILLs this JVM, so neither close() nor the hook runs).
    System.in.read();
  }
}
