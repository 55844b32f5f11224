package dev.regent.singleton.internal;

import dev.regent.singleton.DeliveryId;
import dev.regent.toolkit.internal.logging.RateLimitedLog;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;

/**
 * Internal API: wraps a singleton instance's behavior (outermost, around its supervisor) so that
 * nothing reaches it while its {@link SuspensionGate} is closed. Every message of the instance's
 * mailbox passes here first, user messages and Pekko timer messages alike (a typed timer is a
 * message to self), and the supervisor's own restart messages too. While the gate is closed they
 * are held in a bounded stash, in arrival order; when full, the oldest goes to dead letters
 * (counted, logged at most every 10 s). After a resume, the held messages are handed to the
 * behavior oldest first, before anything newer.
 *
 * <p>Handing several messages to the behavior from one {@code aroundReceive} would run all but
 * the first on a stale behavior (Pekko installs the behavior a call returns only after the call).
 * So the stash is drained one message per call: each call delivers the oldest held message, a
 * message that arrives meanwhile is appended behind the held ones, and a {@code Drain} message to
 * self keeps the draining going when nothing else arrives.
 *
 * <p>User messages may arrive in a {@link SingletonEnvelope} (sent straight here by a proxy that
 * knows where the instance runs, or handed on by the manager): the behavior gets the message
 * inside, and when the envelope asks for a confirmation (at-least-once) the proxy is told
 * {@link Delivered} after the behavior returned, also when it threw (the message was processed; a
 * message that fails would fail again if sent again), unless the incarnation's lease is no longer
 * valid then (a deposed incarnation, e.g. one woken from a pause that processes its mailbox before
 * its manager could suspend it) or the behavior withheld the confirmation
 * ({@code SingletonContext.withholdConfirmation()}, e.g. its fenced write was refused): such a
 * message stays with its proxy, which sends it to the current incarnation. A held envelope is not
 * confirmed: if the
 * instance stops while holding it, it goes to dead letters and its proxy sends it again.
 *
 * <p>Signals are not held: {@code PostStop} and {@code PreRestart} must run, and a held signal
 * could only be replayed on a stale behavior. A singleton that watches other actors gets their
 * {@code Terminated} while suspended; it must not act on a fenced resource there without checking
 * {@code SingletonContext.leaseValid()}. When the instance stops, messages still held go to dead
 * letters (counted).
 */
final class SuspensionInterceptor<M> extends BehaviorInterceptor<Object, M> {

  /** From the manager: reopen the gate if it is still closed in {@code epoch}. */
  record Resume(long epoch) {}

  /** To the manager: the handler that ran when the gate was closed in {@code epoch} returned. */
  record Acknowledged(SuspensionGate gate, long epoch) implements SingletonManager.Command {}

  /** To self: deliver the next held message. */
  private record Drain() {}

  /**
   * To the manager: the instance's lease ended by the clock (the election's own snapshot) while
   * its gate was still open, so a message is held; decide now rather than at the next timer.
   */
  record LeaseEndSeen(SuspensionGate gate) implements SingletonManager.Command {}

  /** From the manager, answering {@link LeaseEndSeen}: the lease is valid, deliver what is held. */
  record Retry() {}

  /** To self: send the confirmations gathered since the last flush. */
  private record FlushConfirmations() {}

  private static final Drain DRAIN = new Drain();
  private static final FlushConfirmations FLUSH = new FlushConfirmations();
  /** At most this many sequence numbers in one confirmation (8 bytes each on the wire). */
  static final int MAX_CONFIRMATION_BATCH = 4096;

  private final SuspensionGate gate;
  private final ActorRef<SingletonManager.Command> manager;
  private final BoundedBuffer<Object> stash;
  private final int capacity;
  private final StatsCounters stats;
  private final String description;
  private final DeliveryCursor cursor;
  private final BooleanSupplier leaseValid;
  private final BooleanSupplier leaseEnded;
  /** A {@link LeaseEndSeen} is with the manager; no second one until it answered. */
  private boolean leaseEndReported;
  private boolean drainPending;
  private boolean flushPending;
  private RateLimitedLog dropLog;
  /**
   * Confirmations not sent yet, per proxy: one message to self ({@link FlushConfirmations}) sends
   * them, so the messages processed in one run of the mailbox are confirmed in one message.
   */
  private final Map<ActorRef<SingletonProxy.Command>, LongArrayList> pendingConfirmations =
      new HashMap<>();

  /**
   * @param description the singleton's name, node and term, for log lines
   */
  SuspensionInterceptor(SuspensionGate gate, ActorRef<SingletonManager.Command> manager, int capacity,
      StatsCounters stats, String description, DeliveryCursor cursor, BooleanSupplier leaseValid,
      BooleanSupplier leaseEnded) {
    super(Object.class);
    this.cursor = cursor;
    this.leaseValid = leaseValid;
    this.leaseEnded = leaseEnded;
    this.gate = gate;
    this.manager = manager;
    this.capacity = capacity;
    this.stash = new BoundedBuffer<>(capacity);
    this.stats = stats;
    this.description = description;
  }

  @Override
  public Behavior<M> aroundReceive(TypedActorContext<Object> ctx, Object msg,
      ReceiveTarget<M> target) {
    if (msg instanceof Resume r) {
      leaseEndReported = false; // the manager decided (it suspended this instance)
      if (gate.reopen(r.epoch()) && !stash.isEmpty()) {
        return deliverOldest(ctx, target);
      }
      return Behaviors.same();
    }
    if (msg instanceof FlushConfirmations) {
      flushConfirmations();
      return Behaviors.same();
    }
    if (msg instanceof Retry) {
      leaseEndReported = false;
      return stash.isEmpty() ? Behaviors.same() : deliverOldest(ctx, target);
    }
    if (msg instanceof Drain) {
      drainPending = false;
      return stash.isEmpty() ? Behaviors.same() : deliverOldest(ctx, target);
    }
    if (!stash.isEmpty()) {
      // Behind the held ones, in order; one message per call goes to the behavior.
      hold(ctx, msg);
      return deliverOldest(ctx, target);
    }
    if (leaseHasEnded(ctx)) {
      hold(ctx, msg);
      return Behaviors.same();
    }
    if (!gate.tryEnter()) {
      hold(ctx, msg);
      return Behaviors.same();
    }
    return run(ctx, target, msg);
  }

  /**
   * Whether the instance's lease has ended by the clock although its gate is open: the manager
   * closes the gate from a timer, and a process woken from a pause (SIGSTOP, a long GC, a frozen
   * VM) runs its mailbox before that timer's message is processed: without this check such a
   * deposed incarnation handled its queued messages (71 in one measured pause) beside the new
   * one. The check reads the election's snapshot and the monotonic clock before each message; a
   * handler already running is not interrupted (nothing can be). The manager is told once; it
   * suspends or stops the instance, or, when the lease turns out valid, answers {@link Retry}.
   */
  private boolean leaseHasEnded(TypedActorContext<Object> ctx) {
    if (!leaseEnded.getAsBoolean()) {
      return false;
    }
    if (!leaseEndReported) {
      leaseEndReported = true;
      stats.leaseEndHolds.incrementAndGet();
      manager.tell(new LeaseEndSeen(gate));
    }
    return true;
  }

  @Override
  public Behavior<M> aroundSignal(TypedActorContext<Object> ctx, Signal signal,
      SignalTarget<M> target) {
    if (signal instanceof PostStop) {
      flushConfirmations();
    }
    if (signal instanceof PostStop && !stash.isEmpty()) {
      int n = stash.size();
      log(ctx).info("Singleton {} stopped while {} messages were held for it: they go to dead"
          + " letters", description, n);
      stash.drainTo(m -> {
        stats.suspendedDropped();
        ctx.asJava().getSystem().deadLetters().tell(m);
      });
    }
    return target.apply(ctx, signal);
  }

  private Behavior<M> deliverOldest(TypedActorContext<Object> ctx, ReceiveTarget<M> target) {
    if (leaseHasEnded(ctx) || !gate.tryEnter()) {
      return Behaviors.same();
    }
    Behavior<M> next = run(ctx, target, stash.removeFirst());
    if (!stash.isEmpty() && !drainPending && !gate.closed()) {
      drainPending = true;
      ctx.asJava().getSelf().tell(DRAIN);
    }
    return next;
  }

  /** Runs the behavior on one message; the gate must have been entered. */
  @SuppressWarnings("unchecked")
  private Behavior<M> run(TypedActorContext<Object> ctx, ReceiveTarget<M> target, Object msg) {
    SingletonEnvelope envelope = msg instanceof SingletonEnvelope e ? e : null;
    if (envelope != null && envelope.seq() > 0) {
      cursor.set(new DeliveryId(envelope.proxyId(), envelope.seq()));
    }
    try {
      return target.apply(ctx, (M) (envelope != null ? envelope.message() : msg));
    } finally {
      if (envelope != null && envelope.seq() > 0) {
        // A deposed incarnation (its lease no longer valid, e.g. woken from a pause with its
        // mailbox full) must not confirm: the message stays with its proxy for the current one.
        if (cursor.withheld() || !leaseValid.getAsBoolean()) {
          stats.confirmationsWithheld.incrementAndGet();
        } else {
          LongArrayList seqs =
              pendingConfirmations.computeIfAbsent(envelope.replyTo(), k -> new LongArrayList());
          seqs.add(envelope.seq());
          if (seqs.size() >= MAX_CONFIRMATION_BATCH) {
            // Well below Artery's maximum frame (256 KiB by default) whatever the mailbox holds.
            envelope.replyTo().tell(new Delivered(seqs.toArray()));
            pendingConfirmations.remove(envelope.replyTo());
          }
          if (!flushPending) {
            flushPending = true;
            ctx.asJava().getSelf().tell(FLUSH);
          }
        }
        cursor.clear();
      }
      long ackEpoch = gate.exit();
      if (ackEpoch >= 0) {
        manager.tell(new Acknowledged(gate, ackEpoch));
      }
    }
  }

  private void flushConfirmations() {
    flushPending = false;
    if (pendingConfirmations.isEmpty()) {
      return;
    }
    pendingConfirmations.forEach((proxy, seqs) -> proxy.tell(new Delivered(seqs.toArray())));
    pendingConfirmations.clear();
  }

  /** A growable list of longs (no boxing on the hot path). */
  private static final class LongArrayList {
    private long[] values = new long[8];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    int size() {
      return size;
    }

    long[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }
  }

  private void hold(TypedActorContext<Object> ctx, Object msg) {
    stash.add(msg).ifPresent(dropped -> {
      stats.suspendedDropped();
      if (dropLog == null) {
        dropLog = new RateLimitedLog(log(ctx), TimeUnit.SECONDS.toNanos(10));
      }
      dropLog.warn("full", "Singleton {} is suspended and holds {} messages (buffer-size):"
              + " dropping the oldest, a [{}] ({} dropped so far)", description, capacity,
          dropped.getClass().getName(), stats.suspendedDroppedCount());
      ctx.asJava().getSystem().deadLetters().tell(dropped);
    });
  }

  private static Logger log(TypedActorContext<Object> ctx) {
    return ctx.asJava().getLog();
  }
}
