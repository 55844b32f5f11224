package dev.regent.multijvm.bench;

import dev.regent.multijvm.harness.FencedResourceClient;
import dev.regent.multijvm.harness.HistoryRecorder;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.leadership.Lineage;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The singleton both systems run in the failover benchmark, so that only the way it is hosted
 * differs. One incarnation:
 *
 * <ul>
 *   <li>reports its start and stop to the node's history ({@code singleton-start} /
 *       {@code singleton-stop});
 *   <li>every 50 ms (fixed delay) writes a counter to the benchmark's fenced resource with
 *       {@code token} (Regent: its fencing token; Pekko has none and writes with
 *       {@link #UNFENCED}, which the resource always accepts). It does not check a lease before
 *       writing, so a deposed incarnation (woken from SIGSTOP) does try to write, and the resource
 *       decides. Writes are paused while the runner measures throughput and idle cost
 *       ({@link BenchNode#writesEnabled()});
 *   <li>records every {@link Seq} it receives in the node's received log (which survives SIGKILL);
 *   <li>counts {@link Work} messages and answers {@link Count} with the count so far;
 *   <li>answers {@link Ping} with {@link Pong};
 *   <li>stops on {@link Stop} (the stop message both systems send on handover).
 * </ul>
 */
public final class BenchSingleton {

  /** The singleton's name in both systems. */
  public static final String NAME = "bench";
  /**
   * The token Pekko's singleton writes with: Pekko gives no fencing token, so every incarnation
   * writes with this same one (lineage {@link Lineage#NONE}, term 0); the resource pins that
   * lineage on the first write and accepts every later write as the same incarnation.
   */
  public static final FencingToken UNFENCED = FencingToken.of(Lineage.NONE, 0);
  /** The resource key the singleton writes. */
  public static final String KEY = "bench";
  static final Duration WRITE_INTERVAL = Duration.ofMillis(50);

  private BenchSingleton() {}

  /** What the singleton receives. */
  public interface Command {}

  /**
   * Marker of the messages that cross nodes; the benchmark binds it to Pekko's {@code jackson-cbor}
   * serializer for both systems ({@link BenchProfiles#COMMON}).
   */
  public interface Wire {}

  /** Message {@code seq} of the load run {@code run} (sent at a steady rate during a crash). */
  public record Seq(long run, long seq) implements Command, Wire {}

  /** One unit of throughput work: only counted. */
  public record Work(long n) implements Command, Wire {}

  /** Asks how many {@link Work} messages this incarnation has processed. */
  public record Count(ActorRef<Counted> replyTo) implements Command, Wire {}

  /** The reply to {@link Count}. */
  public record Counted(long works) implements Wire {}

  /** A round trip. */
  public record Ping(long sentNanos, ActorRef<Pong> replyTo) implements Command, Wire {}

  /** The reply to {@link Ping}. */
  public record Pong(long sentNanos) implements Wire {}

  /** Stop gracefully (both systems' stop message). */
  public record Stop(int unused) implements Command, Wire {
    public Stop() {
      this(0);
    }
  }

  private record Tick(int unused) implements Command {}

  /**
   * One incarnation.
   *
   * @param token the fencing token (Regent) or {@link #UNFENCED} (Pekko)
   */
  public static Behavior<Command> behavior(FencingToken token, HistoryRecorder history,
      FencedResourceClient resource, ReceivedLog received) {
    return Behaviors.setup(context -> {
      history.singletonStarted(token);
      return Behaviors.withTimers(timers -> {
        // Fixed delay, not fixed rate: after a SIGSTOP a fixed-rate timer fires every missed tick
        // at once, and the count of stale writes would measure the pause, not the instance.
        timers.startTimerWithFixedDelay(new Tick(0), WRITE_INTERVAL);
        long[] works = {0};
        long[] written = {0};
        return Behaviors.receive(Command.class)
            .onMessage(Tick.class, t -> {
              if (BenchNode.writesEnabled()) {
                try {
                  resource.write(token, KEY, written[0]++);
                } catch (RuntimeException e) {
                  // Resource unreachable: skip this tick (throwing would restart the instance).
                  context.getLog().warn("write failed: {}", e.toString());
                }
              }
              return Behaviors.same();
            })
            .onMessage(Seq.class, s -> {
              received.record(s.run(), s.seq());
              return Behaviors.same();
            })
            .onMessage(Work.class, w -> {
              works[0]++;
              return Behaviors.same();
            })
            .onMessage(Count.class, c -> {
              c.replyTo().tell(new Counted(works[0]));
              return Behaviors.same();
            })
            .onMessage(Ping.class, p -> {
              p.replyTo().tell(new Pong(p.sentNanos()));
              return Behaviors.same();
            })
            .onMessage(Stop.class, s -> Behaviors.stopped())
            .onSignal(PostStop.class, s -> {
              history.singletonStopped(token);
              return Behaviors.same();
            })
            .build();
      });
    });
  }
}
