package dev.regent.toolkit.internal.state;

import java.nio.file.Path;

/**
 * The state file exists but cannot be trusted: bad checksum, truncated, unparseable, an unknown
 * format version, or written by another node. The node refuses to start rather than reset, because
 * forgetting a vote could let it vote twice in one term. An operator who knows
 * the node's state is lost can delete the node's state directory: the node then joins as a new
 * voter.
 */
public final class StateCorruptedException extends StateStoreException {

  public StateCorruptedException(Path file, String problem) {
    super(file, "election state file " + file + " is unusable: " + problem
        + ". Refusing to start. If the state is truly lost, delete the directory "
        + file.getParent() + " so this node rejoins as a new voter.");
  }

  public StateCorruptedException(Path file, String problem, Throwable cause) {
    super(file, "election state file " + file + " is unusable: " + problem
        + ". Refusing to start. If the state is truly lost, delete the directory "
        + file.getParent() + " so this node rejoins as a new voter.", cause);
  }
}
