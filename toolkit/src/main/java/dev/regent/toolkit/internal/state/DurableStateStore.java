package dev.regent.toolkit.internal.state;

import dev.regent.toolkit.internal.config.NodeNames;
import dev.regent.toolkit.internal.election.HardState;
import dev.regent.toolkit.leadership.NodeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one node's {@link HardState} (term, vote, voter configuration, lineage, longest promise)
 * and identity durably, in {@code <state-directory>/<node name>/election-state}.
 *
 * <p>Why: a node that voted in term T, crashed and came back must not vote again in T (its vote
 * would count twice and two leaders could win one term), so the election actor {@link #save saves}
 * before it replies. A save writes a temporary file, forces it to disk, renames it over the state
 * file atomically and forces the directory: after a crash the file holds either the old or the new
 * state, never a mix.
 *
 * <p>A node without a state file is a new voter: {@link #open} mints a fresh {@link NodeId#stateId()}
 * and logs a warning. A state file that cannot be trusted is never reset silently: {@link #open}
 * throws {@link StateCorruptedException}. An exclusive lock on the node's directory, held until
 * {@link #close}, keeps two nodes (processes, or actor systems in one JVM) off one state.
 *
 * <p>Thread-safe; {@link #save} blocks for the fsyncs (typically milliseconds), so call it where
 * blocking is allowed or accept that the election actor's dispatcher waits for the disk, which it
 * must anyway before it may reply.
 */
public final class DurableStateStore implements AutoCloseable {

  /** Name of the state file inside the node's directory. */
  public static final String STATE_FILE = "election-state";

  private static final String TEMP_FILE = STATE_FILE + ".tmp";
  private static final String LOCK_FILE = "lock";
  private static final Logger log = LoggerFactory.getLogger(DurableStateStore.class);

  private final Path nodeDir;
  private final Path stateFile;
  private final NodeId self;
  private final boolean createdFresh;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private HardState current;
  private boolean closed;
  private boolean directorySyncWarned;

  private DurableStateStore(Path nodeDir, NodeId self, boolean createdFresh, FileChannel lockChannel,
      FileLock lock, HardState current) {
    this.nodeDir = nodeDir;
    this.stateFile = nodeDir.resolve(STATE_FILE);
    this.self = self;
    this.createdFresh = createdFresh;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.current = current;
  }

  /**
   * Opens (or creates) the state of node {@code nodeName} under {@code stateDir}, and locks it until
   * {@link #close()}.
   *
   * @throws StateLockedException when another node holds the state
   * @throws StateCorruptedException when the state file exists but cannot be trusted
   * @throws StateStoreException when the directory or file cannot be read or written
   */
  public static DurableStateStore open(Path stateDir, String nodeName) {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(nodeName, "nodeName");
    if (nodeName.isBlank()) {
      throw new IllegalArgumentException("node name must not be blank");
    }
    Path nodeDir = stateDir.resolve(NodeNames.sanitise(nodeName)).toAbsolutePath().normalize();
    try {
      if (!Files.isDirectory(nodeDir)) {
        Files.createDirectories(nodeDir);
        // Make the new directory's entry durable too, or a power cut could lose the state that the
        // first save below makes durable inside it.
        syncDirectory(nodeDir.getParent());
      }
    } catch (IOException e) {
      throw new StateStoreException(nodeDir,
          "cannot create the election state directory " + nodeDir + ": " + e, e);
    }
    Path lockFile = nodeDir.resolve(LOCK_FILE);
    FileChannel lockChannel;
    try {
      lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StateStoreException(lockFile, "cannot open the lock file " + lockFile + ": " + e, e);
    }
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      // Held by this JVM, e.g. a second actor system configured with the same node name.
      lock = null;
    } catch (IOException e) {
      closeQuietly(lockChannel);
      throw new StateStoreException(lockFile, "cannot lock " + lockFile + ": " + e, e);
    }
    if (lock == null) {
      closeQuietly(lockChannel);
      throw new StateLockedException(lockFile, nodeName);
    }
    try {
      return openLocked(nodeDir, nodeName, lockChannel, lock);
    } catch (RuntimeException e) {
      closeQuietly(lockChannel); // releases the lock
      throw e;
    }
  }

  private static DurableStateStore openLocked(
      Path nodeDir, String nodeName, FileChannel lockChannel, FileLock lock) {
    Path stateFile = nodeDir.resolve(STATE_FILE);
    Path tempFile = nodeDir.resolve(TEMP_FILE);
    try {
      // A leftover temp file is a write that crashed before its rename: the state file still
      // holds the state from before it, which is what counts.
      if (Files.deleteIfExists(tempFile)) {
        log.info("Removed {} left over from an interrupted write", tempFile);
      }
    } catch (IOException e) {
      throw new StateStoreException(tempFile, "cannot remove leftover " + tempFile + ": " + e, e);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(stateFile);
    } catch (NoSuchFileException e) {
      bytes = null;
    } catch (IOException e) {
      throw new StateStoreException(stateFile, "cannot read " + stateFile + ": " + e, e);
    }
    if (bytes != null) {
      StateFileFormat.Content content = StateFileFormat.decode(stateFile, bytes);
      if (!content.nodeName().equals(nodeName)) {
        throw new StateCorruptedException(stateFile, "it belongs to node '" + content.nodeName()
            + "' but this node is configured as '" + nodeName + "'");
      }
      var self = new NodeId(nodeName, content.stateId());
      log.debug("Loaded election state of {} from {}: {}", self, stateFile, content.state());
      return new DurableStateStore(nodeDir, self, false, lockChannel, lock, content.state());
    }
    var self = new NodeId(nodeName, newStateId());
    var store =
        new DurableStateStore(nodeDir, self, true, lockChannel, lock, HardState.INITIAL);
    // Persist the new identity before anyone can hear of it, so a crash cannot make the node reuse
    // a state id it already voted under with a different state.
    store.save(HardState.INITIAL);
    log.warn("No election state in {}: this node starts as new voter {}. If it had state before,"
        + " its earlier identity will be replaced through a configuration change.", stateFile,
        self);
    return store;
  }

  /** This node's identity: its name and the id of the state in this store. */
  public NodeId self() {
    return self;
  }

  /** The last saved state (the state read at open, until the first {@link #save}). */
  public synchronized HardState load() {
    return current;
  }

  /** Whether {@link #open} found no state and created a new one with a fresh state id. */
  public boolean createdFresh() {
    return createdFresh;
  }

  /** The state file (for messages to operators). */
  public Path stateFile() {
    return stateFile;
  }

  /**
   * Writes {@code state} durably; returns once it is on disk.
   *
   * <p>Refuses states that would undo a promise this node made: a lower term than the saved one, or
   * a different (or withdrawn) vote in the same term. Such a save is a bug in the caller, and
   * letting it through could let this node vote twice in one term.
   *
   * @throws IllegalStateException when the store is closed or the state would undo a promise
   * @throws UncheckedIOException when the write fails; the node must then not reply to anyone
   */
  public synchronized void save(HardState state) {
    Objects.requireNonNull(state, "state");
    if (closed) {
      throw new IllegalStateException("election state store " + stateFile + " is closed");
    }
    if (state.term() < current.term()) {
      throw new IllegalStateException("refusing to lower the term from " + current.term() + " to "
          + state.term() + " in " + stateFile);
    }
    if (state.term() == current.term() && current.votedFor().isPresent()
        && !current.votedFor().equals(state.votedFor())) {
      throw new IllegalStateException("refusing to change the vote of term " + state.term()
          + " from " + current.votedFor().get() + " to " + state.votedFor() + " in " + stateFile);
    }
    byte[] bytes = StateFileFormat.encode(new StateFileFormat.Content(self.name(), self.stateId(), state));
    Path tempFile = nodeDir.resolve(TEMP_FILE);
    try {
      try (FileChannel ch = FileChannel.open(tempFile, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tempFile, stateFile, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system of " + nodeDir
            + " cannot rename atomically; keep the state directory on a local file system", e);
      }
      if (!syncDirectory(nodeDir) && !directorySyncWarned) {
        directorySyncWarned = true;
        log.info("Cannot fsync directory {} on this platform; relying on the file system to keep"
            + " renames durable", nodeDir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write election state " + stateFile + ": " + e, e);
    }
    current = state;
  }

  /** Releases the lock; later saves fail. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      lock.release();
    } catch (IOException e) {
      log.debug("Releasing the lock of {} failed (closing the channel releases it)", nodeDir, e);
    }
    closeQuietly(lockChannel);
  }

  /**
   * Forces a directory's entries (a rename, a new child) to disk.
   *
   * <p>Only a platform that cannot open a directory for this (Windows refuses with an
   * {@link IOException}; some file systems do not support it) is tolerated: the entries are then as
   * durable as that file system makes them, and the caller logs that once. A directory that opens
   * but fails to force ({@code EIO} after a disk error, {@code EROFS}) throws: the rename may not
   * survive a power cut, so the save must not count as durable (the election actor then fails and
   * restarts from its state, under back-off, rather than reply on a promise that may be lost).
   *
   * @return whether the directory was forced ({@code false}: the platform cannot open it)
   * @throws IOException when forcing the opened directory fails
   */
  private static boolean syncDirectory(Path dir) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("Cannot open directory {} to fsync it", dir, e);
      return false;
    }
    try (ch) {
      ch.force(true);
    }
    return true;
  }

  /**
   * A new state id: creation time in the high bits so later states usually get larger ids (which
   * only matters for liveness, see {@link NodeId}), 20 random bits so two states created in the same
   * millisecond differ.
   */
  static long newStateId() {
    return stateId(System.currentTimeMillis(), ThreadLocalRandom.current().nextInt(1 << 20));
  }

  static long stateId(long epochMillis, int random20) {
    return (epochMillis << 20) | (random20 & 0xFFFFF);
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      log.debug("Closing {} failed", ch, e);
    }
  }

  @Override
  public String toString() {
    return "DurableStateStore(" + self + " at " + stateFile + ")";
  }
}
