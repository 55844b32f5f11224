package dev.regent.singleton.internal;

import java.util.Arrays;

/**
 * Internal API: an incarnation's confirmation to a proxy (at-least-once): its behavior has
 * processed the proxy's messages {@code seqs}. Sent by the instance's {@link SuspensionInterceptor}
 * after the behavior returned, batched: the confirmations of the messages processed in one run of
 * the mailbox go together. Written by {@link SingletonEnvelopeSerializer}.
 */
public record Delivered(long[] seqs) implements SingletonProxy.Command {

  /** The longest batch read back from the wire. */
  static final int MAX_BATCH = 1_000_000;

  public Delivered {
    if (seqs.length == 0 || seqs.length > MAX_BATCH) {
      throw new IllegalArgumentException("1 to " + MAX_BATCH + " sequence numbers, not "
          + seqs.length);
    }
    seqs = seqs.clone();
  }

  /** One confirmation. */
  public Delivered(long seq) {
    this(new long[] {seq});
  }

  @Override
  public long[] seqs() {
    return seqs.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Delivered d && Arrays.equals(d.seqs, seqs);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(seqs);
  }

  @Override
  public String toString() {
    return "Delivered" + Arrays.toString(seqs);
  }
}
