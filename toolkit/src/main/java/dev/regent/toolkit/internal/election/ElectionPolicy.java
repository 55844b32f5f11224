package dev.regent.toolkit.internal.election;

import java.time.Duration;

/**
 * The protocol's rules that are not timings: when a lineage may be founded, how long a hand-over
 * may wait for the singleton to stop, and the lowest term a new lineage starts from.
 *
 * @param bootstrapExpect how many voter-eligible members, none of them with a configuration, a
 *     node without a configuration must see (and hear from) before it founds a new lineage; 0 means
 *     never: this node only ever joins a lineage that a leader adds it to
 * @param handOverTimeoutNanos how long a leader handing over waits for its node to report that
 *     nothing it hosts still runs; past it, the leader steps down <em>without</em> asking a
 *     successor to start at once, so the successor waits out the lease
 * @param firstTerm the lowest term of a newly founded lineage's first configuration (1 by
 *     default); raising it lets tokens of a re-created cluster stay above those of the old one
 */
public record ElectionPolicy(int bootstrapExpect, long handOverTimeoutNanos, long firstTerm) {

  /** Found a lineage when alone (as a single-node test would), 2 s hand-over timeout, terms from 1. */
  public static final ElectionPolicy DEFAULTS = new ElectionPolicy(1, Duration.ofSeconds(2).toNanos(), 1);

  public ElectionPolicy {
    if (bootstrapExpect < 0) {
      throw new IllegalArgumentException("bootstrapExpect must be >= 0, was " + bootstrapExpect);
    }
    if (handOverTimeoutNanos <= 0) {
      throw new IllegalArgumentException("handOverTimeout must be positive");
    }
    if (firstTerm < 1 || firstTerm > ElectionMessage.MAX_TERM / 2) {
      throw new IllegalArgumentException("firstTerm must be in [1, " + ElectionMessage.MAX_TERM / 2
          + "], was " + firstTerm);
    }
  }

  public ElectionPolicy withBootstrapExpect(int expect) {
    return new ElectionPolicy(expect, handOverTimeoutNanos, firstTerm);
  }

  public ElectionPolicy withHandOverTimeout(Duration timeout) {
    return new ElectionPolicy(bootstrapExpect, timeout.toNanos(), firstTerm);
  }

  public ElectionPolicy withFirstTerm(long term) {
    return new ElectionPolicy(bootstrapExpect, handOverTimeoutNanos, term);
  }
}
