package dev.regent.toolkit.internal.logging;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs at WARN (or the level asked for) at most once per interval per kind, with the number suppressed since the last line;
 * everything in between goes to DEBUG. A peer flooding junk, or a proxy dropping a message every
 * millisecond, cannot flood the log. Not thread-safe: owned by one actor.
 */
public final class RateLimitedLog {

  private final Logger log;
  private final long intervalNanos;
  private final Map<String, long[]> kinds = new HashMap<>(); // kind -> {lastWarnAt, suppressed}

  public RateLimitedLog(Logger log, long intervalNanos) {
    this.log = log;
    this.intervalNanos = intervalNanos;
  }

  public void warn(String kind, String message, Object... args) {
    log(org.slf4j.event.Level.WARN, kind, message, args);
  }

  /** As {@link #warn}, at ERROR: for conditions an operator must act on. */
  public void error(String kind, String message, Object... args) {
    log(org.slf4j.event.Level.ERROR, kind, message, args);
  }

  /** As {@link #warn}, at INFO: for progress that repeats while nothing changes. */
  public void info(String kind, String message, Object... args) {
    log(org.slf4j.event.Level.INFO, kind, message, args);
  }

  private void log(org.slf4j.event.Level level, String kind, String message, Object... args) {
    long now = System.nanoTime();
    long[] k = kinds.computeIfAbsent(kind, x -> new long[] {now - intervalNanos, 0});
    if (now - k[0] >= intervalNanos) {
      if (log.isEnabledForLevel(level)) {
        String suffix = k[1] > 0 ? " (" + k[1] + " more like this suppressed)" : "";
        log.atLevel(level).log(message + suffix, args);
      }
      k[0] = now;
      k[1] = 0;
    } else {
      k[1]++;
      log.debug(message, args);
    }
  }
}
