package dev.regent.examples.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * A fenced resource shared by several processes on one machine: an append-only file of
 * {@code token value} lines. A write is accepted only if its token is at least the highest token
 * ever accepted, so a deposed singleton (smaller token) can never overwrite its successor's work.
 * Every read-check-append runs under an exclusive file lock; that is what makes it fenced across
 * processes and not only across threads.
 */
public final class SharedFencedFile {

  /** The outcome of a write. */
  public record WriteResult(boolean accepted, long highestToken) {}

  /** The last accepted entry. */
  public record Entry(long token, long value) {}

  private final Path file;

  public SharedFencedFile(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** Appends {@code value} with {@code token} unless a higher token has already written. */
  public WriteResult write(long token, long value) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
         FileLock lock = ch.lock()) {
      Optional<Entry> last = lastEntry(ch);
      long highest = last.map(Entry::token).orElse(Long.MIN_VALUE);
      if (token < highest) {
        return new WriteResult(false, highest);
      }
      ch.position(ch.size());
      ch.write(ByteBuffer.wrap((token + " " + value + "\n").getBytes(StandardCharsets.US_ASCII)));
      ch.force(false);
      return new WriteResult(true, token);
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
      return lastEntry(ch);
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
          .filter(l -> !l.isBlank()).map(SharedFencedFile::parse).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fenced file " + file, e);
    }
  }

  private static Optional<Entry> lastEntry(FileChannel ch) throws IOException {
    long size = ch.size();
    if (size == 0) {
      return Optional.empty();
    }
    int tail = (int) Math.min(size, 256);
    var buf = ByteBuffer.allocate(tail);
    ch.read(buf, size - tail);
    String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
    String line = text.substring(text.lastIndexOf('\n') + 1);
    return Optional.of(parse(line));
  }

  private static Entry parse(String line) {
    String[] parts = line.strip().split(" ");
    return new Entry(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
  }
}
