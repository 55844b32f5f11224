package dev.regent.toolkit.internal.state;

import java.nio.file.Path;

/**
 * The durable election state cannot be used; the node must not start. Messages name the file or
 * directory involved so an operator can act on them.
 */
public class StateStoreException extends RuntimeException {

  private final Path path;

  public StateStoreException(Path path, String message) {
    super(message);
    this.path = path;
  }

  public StateStoreException(Path path, String message, Throwable cause) {
    super(message, cause);
    this.path = path;
  }

  /** The file or directory the problem is about. */
  public Path path() {
    return path;
  }
}
