package dev.regent.multijvm;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback conversion word {@code %nanos}: the event's time as a {@link System#nanoTime()} value
 * (comparable across JVMs on one host), for logs that tests read back to time a sequence of steps
 * across nodes. The event's wall-clock instant is mapped onto the monotonic clock, so the value is
 * the time the event was created, not the time it was formatted.
 */
public final class NanoTimeConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    long nowNanos = System.nanoTime();
    java.time.Instant now = java.time.Instant.now();
    long ageNanos = java.time.Duration.between(event.getInstant(), now).toNanos();
    return Long.toString(nowNanos - Math.max(0, ageNanos));
  }
}
