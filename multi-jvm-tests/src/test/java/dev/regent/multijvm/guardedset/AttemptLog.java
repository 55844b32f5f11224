package dev.regent.multijvm.guardedset;

import dev.regent.toolkit.fencing.FencingToken;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's log of guarded-set insert attempts, one line each ({@code OUTCOME lineage token node
 * pid seq nanos}), written with one unbuffered write so a line reaches the OS before the writer
 * goes on and survives a SIGKILL. An insert is logged ACKNOWLEDGED only after its commit returned.
 */
public final class AttemptLog {

  public enum Outcome { ACKNOWLEDGED, REFUSED, FAILED }

  public record Attempt(Outcome outcome, long lineage, long token, int node, long pid, long seq,
      long nanos) {}

  private final FileOutputStream out;

  AttemptLog(Path file) {
    try {
      this.out = new FileOutputStream(file.toFile(), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file, e);
    }
  }

  synchronized void record(Outcome outcome, FencingToken token, int node, long pid, long seq) {
    String line = outcome + " " + token.lineage() + " " + token.value() + " " + node + " " + pid
        + " " + seq + " " + System.nanoTime() + "\n";
    try {
      out.write(line.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a log; a torn last line (the process was killed while writing it) is skipped. */
  public static List<Attempt> read(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      var result = new ArrayList<Attempt>();
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String[] f = lines.get(i).trim().split(" ");
        try {
          result.add(new Attempt(Outcome.valueOf(f[0]), Long.parseLong(f[1]),
              Long.parseLong(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]),
              Long.parseLong(f[5]), Long.parseLong(f[6])));
        } catch (RuntimeException e) {
          if (i < lines.size() - 1) {
            throw new IllegalStateException("bad line " + (i + 1) + " in " + file, e);
          }
        }
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
