package dev.regent.multijvm.harness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.regent.singleton.SingletonLifecycleEvent;
import dev.regent.singleton.SingletonLifecycleListener;
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
 * Appends {@link HistoryEvent}s to a node's events file, one JSON line each. Every line is written
 * with one unbuffered {@code write} call, so it reaches the operating system before
 * {@link #record} returns and survives a SIGKILL of the process (the host is not crashed in these
 * tests, so no fsync). Thread-safe.
 *
 * <p>Node code gets one from {@link NodeContext#history()} and should use the helpers
 * ({@link #singletonStarted}, {@link #leaderElected}, ...), which fill in node, pid and times.
 */
public final class HistoryRecorder implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  private final int node;
  private final long pid = ProcessHandle.current().pid();
  private final FileOutputStream out;

  public HistoryRecorder(Path file, int node) {
    this.node = node;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      this.out = new FileOutputStream(file.toFile(), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open events file " + file, e);
    }
  }

  /** This node's index. */
  public int node() {
    return node;
  }

  public void leaderElected(long lineage, long term, String leader) {
    record(new HistoryEvent.LeaderElected(node, pid, lineage, term, leader, System.nanoTime(),
        System.currentTimeMillis()));
  }

  public void singletonStarted(FencingToken token) {
    record(new HistoryEvent.SingletonStarted(node, pid, token.lineage(), token.value(),
        System.nanoTime(), System.currentTimeMillis()));
  }

  public void singletonStopped(FencingToken token) {
    record(new HistoryEvent.SingletonStopped(node, pid, token.lineage(), token.value(),
        System.nanoTime(), System.currentTimeMillis()));
  }

  public void singletonSuspended(FencingToken token, long nanos) {
    record(new HistoryEvent.SingletonSuspended(node, pid, token.lineage(), token.value(), nanos,
        System.currentTimeMillis()));
  }

  public void singletonResumed(FencingToken token, long nanos) {
    record(new HistoryEvent.SingletonResumed(node, pid, token.lineage(), token.value(), nanos,
        System.currentTimeMillis()));
  }

  /**
   * A singleton lifecycle listener ({@code SingletonActor.withLifecycleListener}) that records
   * suspensions and resumes, at the manager's own times. Starts and stops are recorded by the
   * singleton's behavior ({@link #singletonStarted}, {@link #singletonStopped}): its setup and
   * {@code PostStop} are closer to what the instance did than the manager's view.
   */
  public SingletonLifecycleListener suspensions() {
    return e -> {
      if (e.kind() == SingletonLifecycleEvent.Kind.SUSPENDED) {
        singletonSuspended(e.token(), e.nanos());
      } else if (e.kind() == SingletonLifecycleEvent.Kind.RESUMED) {
        singletonResumed(e.token(), e.nanos());
      }
    };
  }

  /** Appends one event. */
  public synchronized void record(HistoryEvent event) {
    try {
      out.write((JSON.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to events file", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads an events file; a torn last line (the writer was killed mid-write) is skipped. */
  public static List<HistoryEvent> read(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read events file " + file, e);
    }
    var events = new ArrayList<HistoryEvent>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        events.add(JSON.readValue(line, HistoryEvent.class));
      } catch (JsonProcessingException e) {
        if (i == lines.size() - 1) {
          continue;
        }
        throw new IllegalStateException("bad line " + (i + 1) + " in " + file + ": " + line, e);
      }
    }
    return events;
  }

  static String toJson(HistoryEvent event) {
    try {
      return JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
