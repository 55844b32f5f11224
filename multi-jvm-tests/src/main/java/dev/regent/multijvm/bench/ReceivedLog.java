package dev.regent.multijvm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The sequence numbers a node's singleton incarnations received, one file per load run
 * ({@code received-<run>.log} in the node's directory, one number per line). Each number is written
 * with its own {@code write} call before the next message is processed, so a SIGKILL loses nothing
 * that was processed. The runner reads the files of every node to count what was processed.
 */
public final class ReceivedLog {

  private static final String PREFIX = "received-";
  private final Path dir;
  private final Map<Long, FileChannel> open = new LinkedHashMap<>();

  public ReceivedLog(Path dir) {
    this.dir = dir;
  }

  /** Records that {@code seq} of load run {@code run} was processed here. */
  public synchronized void record(long run, long seq) {
    try {
      FileChannel ch = open.get(run);
      if (ch == null) {
        // Runs follow one another: keep only the newest few files open.
        while (open.size() >= 3) {
          var oldest = open.entrySet().iterator().next();
          oldest.getValue().close();
          open.remove(oldest.getKey());
        }
        Files.createDirectories(dir);
        ch = FileChannel.open(file(dir, run), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
        open.put(run, ch);
      }
      ByteBuffer b = ByteBuffer.wrap((seq + "\n").getBytes(StandardCharsets.US_ASCII));
      while (b.hasRemaining()) {
        ch.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record received message", e);
    }
  }

  static Path file(Path nodeDir, long run) {
    return nodeDir.resolve(PREFIX + run + ".log");
  }

  /** How many times messages of {@code run} were processed on any of {@code nodeDirs}, in all. */
  public static long processedCount(List<Path> nodeDirs, long run) {
    long n = 0;
    for (Path d : nodeDirs) {
      Path f = file(d, run);
      if (!Files.exists(f)) {
        continue;
      }
      try (Stream<String> lines = Files.lines(f, StandardCharsets.US_ASCII)) {
        n += lines.filter(l -> !l.isEmpty() && l.chars().allMatch(Character::isDigit)).count();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f, e);
      }
    }
    return n;
  }

  /** The distinct sequence numbers of {@code run} processed on any of {@code nodeDirs}. */
  public static Set<Long> processed(List<Path> nodeDirs, long run) {
    var seqs = new HashSet<Long>();
    for (Path d : nodeDirs) {
      Path f = file(d, run);
      if (!Files.exists(f)) {
        continue;
      }
      try (Stream<String> lines = Files.lines(f, StandardCharsets.US_ASCII)) {
        lines.forEach(l -> {
          // A line torn by a SIGKILL is ignored.
          if (!l.isEmpty() && l.chars().allMatch(Character::isDigit)) {
            seqs.add(Long.parseLong(l));
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f, e);
      }
    }
    return seqs;
  }
}
