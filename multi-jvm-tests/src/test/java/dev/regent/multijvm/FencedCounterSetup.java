package dev.regent.multijvm;

import dev.regent.multijvm.harness.FencedResourceClient;
import dev.regent.multijvm.harness.HistoryRecorder;
import dev.regent.multijvm.harness.LeadershipReporter;
import dev.regent.multijvm.harness.NodeContext;
import dev.regent.multijvm.harness.NodeSetup;
import dev.regent.singleton.ClusterSingleton;
import dev.regent.singleton.SingletonActor;
import dev.regent.singleton.SingletonContext;
import dev.regent.toolkit.fencing.FencingToken;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The node setup of Regent's failure suite: reports leadership to the history and runs a fenced
 * singleton that writes an increasing counter to the test's fenced resource every 50 ms.
 *
 * <p>On purpose it does <em>not</em> check {@link SingletonContext#leaseValid()} before writing: the
 * suite wants a deposed incarnation (e.g. one woken from SIGSTOP) to actually try writing, so that
 * S4 (the resource rejects it by its token) is exercised rather than skipped. Each write carries
 * the whole token, lineage and term, so the resource pins the cluster's lineage. Starts and stops
 * are recorded by the behavior, suspensions and resumes by the singleton's lifecycle listener
 * (the instance cannot see its own suspension).
 */
public final class FencedCounterSetup implements NodeSetup {

  /**
   * Harness config for Regent nodes: the split-brain resolver on, keep-majority, deciding after 4 s
   * of stability (at least the failure detector's acceptable pause, 3 s in the harness).
   */
  public static final String CONFIG = """
      pekko.cluster.downing-provider-class = "dev.regent.toolkit.sbr.RegentDowningProvider"
      regent.split-brain-resolver.stable-after = 4s
      """;

  sealed interface Command {}

  record Tick() implements Command {}

  record Stop() implements Command {}

  @Override
  public void start(NodeContext ctx) {
    LeadershipReporter.start(ctx);
    ClusterSingleton.get(ctx.system()).init(
        SingletonActor.<Command>ofFenced(sc -> behavior(sc, ctx.history(), ctx.resource()), "counter")
            .withStopMessage(new Stop())
            .withLifecycleListener(ctx.history().suspensions()));
  }

  static Behavior<Command> behavior(SingletonContext sc, HistoryRecorder history,
      FencedResourceClient resource) {
    FencingToken token = sc.fencingToken();
    return Behaviors.setup(context -> {
      history.singletonStarted(token);
      return Behaviors.withTimers(timers -> {
        timers.startTimerAtFixedRate(new Tick(), Duration.ofMillis(50));
        long[] seq = {0};
        return Behaviors.receive(Command.class)
            .onMessage(Tick.class, t -> {
              try {
                resource.write(token, "counter", seq[0]++);
              } catch (RuntimeException e) {
                // Resource unreachable: skip this tick. Throwing would restart the actor and report
                // a second start with the same token.
                context.getLog().warn("write failed: {}", e.toString());
              }
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
