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
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The broken variant of {@link FencedCounterSetup} for {@code BrokenVariantTest}: a singleton that
 * breaks the one assumption Regent's one-instance guarantee (S3) rests on, that an instance stops
 * cooperatively (a handler returns within {@code stop-timeout}). Its first message handler never
 * returns: it writes the counter to the fenced resource every 50 ms in a loop. The manager can then
 * neither suspend it (a suspension takes effect only once the running handler returned, so it is
 * never acknowledged and the lifecycle listener never says SUSPENDED) nor stop it (a stop, hard or
 * not, also takes effect only between two messages), so the instance outlives its node's lease and
 * keeps writing (rejected by the resource, S4) while the next incarnation runs elsewhere. Nothing in
 * the product is switched off: the variant lives entirely in this test code.
 *
 * <p>It runs on Pekko's blocking dispatcher so the loop does not take a thread of the default
 * dispatcher; the harness kills the node processes at the end of the test.
 */
public final class NonCooperativeCounterSetup implements NodeSetup {

  sealed interface Command {}

  record Write() implements Command {}

  record Stop() implements Command {}

  @Override
  public void start(NodeContext ctx) {
    LeadershipReporter.start(ctx);
    ClusterSingleton.get(ctx.system()).init(
        SingletonActor.<Command>ofFenced(sc -> behavior(sc, ctx.history(), ctx.resource()),
                "counter")
            .withStopMessage(new Stop())
            .withProps(DispatcherSelector.blocking())
            .withLifecycleListener(ctx.history().suspensions()));
  }

  static Behavior<Command> behavior(SingletonContext sc, HistoryRecorder history,
      FencedResourceClient resource) {
    FencingToken token = sc.fencingToken();
    return Behaviors.setup(context -> {
      history.singletonStarted(token);
      context.getSelf().tell(new Write());
      return Behaviors.receive(Command.class)
          .onMessage(Write.class, w -> {
            // Never returns (until the thread is interrupted): ignores suspension and stop alike.
            long seq = 0;
            while (!Thread.currentThread().isInterrupted()) {
              try {
                resource.write(token, "counter", seq++);
              } catch (RuntimeException e) {
                context.getLog().warn("write failed: {}", e.toString());
              }
              try {
                Thread.sleep(50);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
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
  }
}
