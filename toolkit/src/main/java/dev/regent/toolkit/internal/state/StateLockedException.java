package dev.regent.toolkit.internal.state;

import java.nio.file.Path;

/**
 * Another process, or another store in this JVM, holds the lock on a node's state directory. Two
 * nodes sharing one state would vote with one identity twice, so the second one refuses to start.
 */
public final class StateLockedException extends StateStoreException {

  public StateLockedException(Path lockFile, String nodeName) {
    super(lockFile, "election state of node '" + nodeName + "' is in use: the lock " + lockFile
        + " is held by another node (another process, or another actor system in this JVM)."
        + " Each node needs its own state directory or node name.");
  }
}
