package dev.regent.examples.demo;

import dev.regent.toolkit.fencing.FencingGuard;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.leadership.Lineage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A fenced resource shared by several processes on one machine: an append-only file of
 * {@code <lineage> <term> <value>} lines, the lineage as 16 hex digits ({@link Lineage#format}).
 * It decides with the toolkit's {@link FencingGuard}, the same rule as
 * {@link dev.regent.toolkit.fencing.FencedStore}: the first accepted token pins its lineage, a
 * token of any other lineage (a separately founded cluster) is refused whatever its term, and
 * within the pinned lineage a write is accepted only if its term is at least the highest one ever
 * accepted, so a deposed singleton can never overwrite its successor's work. The guard's state is
 * the file's last line, so every process sees the same pin.
 *
 * <p>Every read-check-append runs under an exclusive file lock; that is what makes it fenced across
 * processes and not only across threads.
 *
 * <p>After a deliberate re-creation of the cluster (its election state wiped, so it founded a new
 * lineage), {@link #moveToLineage} appends a {@code move <lineage> <min-term>} line, the file's
 * form of {@link FencingGuard#moveToLineage}. A line of two fields (written before lineages
 * existed) belongs to {@link Lineage#LEGACY}.
 */
public final class SharedFencedFile {

  /**
   * The outcome of a write.
   *
   * @param accepted whether the write took effect
   * @param highest the pinned lineage and the highest term accepted in it (the written token when
   *     accepted)
   */
  public record WriteResult(boolean accepted, FencingToken highest) {}

  /** An accepted entry: the writer's fencing token and the value. */
  public record Entry(FencingToken token, long value) {}

  /** How far back from the end a write looks for the guard's state; the lines are short. */
  private static final int TAIL = 4096;

  private final Path file;

  public SharedFencedFile(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /**
   * Appends {@code value} with {@code token} when the token is of the pinned lineage (or pins it,
   * for the first write) and not older than one already accepted.
   */
  public WriteResult write(FencingToken token, long value) {
    try (FileChannel ch = open(); FileLock lock = ch.lock()) {
      FencingGuard guard = guard(lastLine(ch));
      if (!guard.tryAccept(token)) {
        return new WriteResult(false, floor(lastLine(ch)).orElseThrow());
      }
      append(ch, Lineage.format(token.lineage()) + " " + token.value() + " " + value);
      return new WriteResult(true, token);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write fenced file " + file, e);
    }
  }

  /**
   * Operator action after a deliberate re-creation of the cluster: from now on only tokens of
   * {@code lineage} from term {@code minTerm} on are accepted ({@link FencingGuard#moveToLineage},
   * whose checks apply). Call it only once no node of the old lineage can write any more.
   */
  public void moveToLineage(long lineage, long minTerm) {
    try (FileChannel ch = open(); FileLock lock = ch.lock()) {
      guard(lastLine(ch)).moveToLineage(lineage, minTerm);
      append(ch, "move " + Lineage.format(lineage) + " " + minTerm);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write fenced file " + file, e);
    }
  }

  /** The last accepted entry, if any. */
  public Optional<Entry> last() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
         FileLock lock = ch.lock(0, Long.MAX_VALUE, true)) {
      List<String> tail = tailLines(ch);
      for (int i = tail.size() - 1; i >= 0; i--) {
        if (!isMove(tail.get(i))) {
          return Optional.of(parse(tail.get(i)));
        }
      }
      if (ch.size() > TAIL) {
        // Only moves in the tail: look at the whole file.
        List<Entry> all = entries();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fenced file " + file, e);
    }
  }

  /** Every accepted entry, oldest first. */
  public List<Entry> entries() {
    try {
      if (!Files.exists(file)) {
        return List.of();
      }
      return Files.readAllLines(file, StandardCharsets.US_ASCII).stream()
          .filter(l -> !l.isBlank() && !isMove(l)).map(SharedFencedFile::parse).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fenced file " + file, e);
    }
  }

  private FileChannel open() throws IOException {
    return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
  }

  private static void append(FileChannel ch, String line) throws IOException {
    ch.position(ch.size());
    ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
    ch.force(false);
  }

  /** The guard as the file's last line leaves it: nothing pinned for an empty file. */
  private static FencingGuard guard(Optional<String> lastLine) {
    if (lastLine.isEmpty()) {
      return new FencingGuard();
    }
    String line = lastLine.get();
    if (isMove(line)) {
      String[] p = line.strip().split(" ");
      return new FencingGuard(Lineage.parse(p[1]), Long.parseLong(p[2]));
    }
    return new FencingGuard(parse(line).token());
  }

  /** The pinned lineage and highest (or minimum) term the last line records. */
  private static Optional<FencingToken> floor(Optional<String> lastLine) {
    return lastLine.map(line -> {
      if (isMove(line)) {
        String[] p = line.strip().split(" ");
        return FencingToken.of(Lineage.parse(p[1]), Long.parseLong(p[2]));
      }
      return parse(line).token();
    });
  }

  private static Optional<String> lastLine(FileChannel ch) throws IOException {
    List<String> tail = tailLines(ch);
    return tail.isEmpty() ? Optional.empty() : Optional.of(tail.get(tail.size() - 1));
  }

  /** The complete non-blank lines among the last {@link #TAIL} bytes. */
  private static List<String> tailLines(FileChannel ch) throws IOException {
    long size = ch.size();
    if (size == 0) {
      return List.of();
    }
    int tail = (int) Math.min(size, TAIL);
    var buf = ByteBuffer.allocate(tail);
    while (buf.hasRemaining() && ch.read(buf, size - tail + buf.position()) >= 0) {
      // read until the buffer is full
    }
    String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
    var lines = new ArrayList<String>();
    String[] parts = text.split("\n");
    // The first part is a partial line unless the tail starts at the beginning of the file.
    for (int i = tail < size ? 1 : 0; i < parts.length; i++) {
      if (!parts[i].isBlank()) {
        lines.add(parts[i].strip());
      }
    }
    return lines;
  }

  private static boolean isMove(String line) {
    return line.startsWith("move ");
  }

  private static Entry parse(String line) {
    String[] parts = line.strip().split(" ");
    if (parts.length == 2) {
      // Written before lineages existed: the legacy lineage, like the election state of then.
      return new Entry(FencingToken.of(Lineage.LEGACY, Long.parseLong(parts[0])),
          Long.parseLong(parts[1]));
    }
    return new Entry(FencingToken.of(Lineage.parse(parts[0]), Long.parseLong(parts[1])),
        Long.parseLong(parts[2]));
  }
}
