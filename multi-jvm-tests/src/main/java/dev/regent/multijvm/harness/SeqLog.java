package dev.regent.multijvm.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * An append-only file of sequence numbers, one per line, written by a node JVM and read by the
 * test JVM (the delivery checker's evidence: what a singleton processed, what a sender was
 * confirmed). Each number is written with its own {@code write} call before the caller goes on,
 * so a SIGKILL loses nothing already recorded; a line torn by a SIGKILL is ignored when read.
 */
public final class SeqLog implements AutoCloseable {

  private final FileChannel channel;

  public SeqLog(Path file) {
    try {
      Files.createDirectories(file.getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file, e);
    }
  }

  /** Appends {@code seq}. */
  public synchronized void append(long seq) {
    ByteBuffer b = ByteBuffer.wrap((seq + "\n").getBytes(StandardCharsets.US_ASCII));
    try {
      while (b.hasRemaining()) {
        channel.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the sequence log", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every number in {@code file}, in file order, duplicates kept (absent file: none). */
  public static List<Long> read(Path file) {
    var out = new ArrayList<Long>();
    if (!Files.exists(file)) {
      return out;
    }
    try (Stream<String> lines = Files.lines(file, StandardCharsets.US_ASCII)) {
      lines.forEach(l -> {
        if (!l.isEmpty() && l.length() < 19 && l.chars().allMatch(Character::isDigit)) {
          out.add(Long.parseLong(l));
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return out;
  }
}
