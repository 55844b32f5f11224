package dev.regent.examples;

import dev.regent.examples.demo.SharedFencedFile;
import dev.regent.singleton.SingletonContext;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.serialization.RegentSerializable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A sample fenced singleton: hands out consecutive ticket numbers and records each one in a fenced
 * store with its fencing token (lineage and term). Before every write it checks that its lease is still valid (the
 * cheap local check); the store's token check catches what that check cannot (a pause between the
 * check and the write). A new incarnation continues from the last number the store accepted.
 */
public final class TicketAllocator {

  /** The allocator's protocol. */
  public sealed interface Command extends RegentSerializable {}

  /** Asks for the next ticket. */
  public record Allocate(String requester) implements Command {}

  /** Observes the running incarnation (for the demo's status line); all-zero when none runs. */
  public static final class Observer {
    public final AtomicLong token = new AtomicLong();
    public final AtomicLong startedAtMillis = new AtomicLong();
    public final AtomicLong issued = new AtomicLong();
  }

  private TicketAllocator() {}

  public static Behavior<Command> create(SingletonContext context, SharedFencedFile store,
                                         Observer observer) {
    return Behaviors.setup(ctx -> {
      FencingToken token = context.fencingToken();
      String lineage = Lineage.format(token.lineage());
      observer.token.set(token.value());
      observer.startedAtMillis.set(System.currentTimeMillis());
      long[] next = {store.last().map(SharedFencedFile.Entry::value).orElse(0L) + 1};
      ctx.getLog().info("ticket allocator started with token {} of lineage {}, next ticket {}",
          token.value(), lineage, next[0]);
      return Behaviors.receive(Command.class)
          .onMessage(Allocate.class, a -> {
            if (!context.leaseValid()) {
              ctx.getLog().info("lease no longer valid: ticket for {} not issued", a.requester());
              return Behaviors.same();
            }
            var result = store.write(token, next[0]);
            if (result.accepted()) {
              observer.issued.set(next[0]);
              next[0]++;
            } else if (!result.highest().sameLineage(token)) {
              ctx.getLog().warn("store rejected token {} of lineage {}: it is pinned to lineage {}"
                  + " (a separately founded cluster wrote it first; after a deliberate re-creation"
                  + " move it with SharedFencedFile.moveToLineage)", token.value(), lineage,
                  Lineage.format(result.highest().lineage()));
            } else {
              ctx.getLog().warn("store rejected token {} of lineage {} (it has seen {}): deposed",
                  token.value(), lineage, result.highest().value());
            }
            return Behaviors.same();
          })
          .onSignal(PostStop.class, s -> {
            observer.token.compareAndSet(token.value(), 0);
            ctx.getLog().info("ticket allocator with token {} of lineage {} stopped", token.value(),
                lineage);
            return Behaviors.same();
          })
          .build();
    });
  }
}
