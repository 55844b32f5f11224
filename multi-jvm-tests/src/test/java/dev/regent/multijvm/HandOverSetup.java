package dev.regent.multijvm;

import dev.regent.multijvm.harness.NodeContext;
import dev.regent.multijvm.harness.NodeSetup;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FencedCounterSetup} plus a marker task in each CoordinatedShutdown phase that matters for a
 * hand-over, which logs {@code CS phase <name>} as the phase starts (tasks of one phase run
 * concurrently), so {@link HandOverBreakdownTest} can place the phases on the hand-over's timeline.
 */
public final class HandOverSetup implements NodeSetup {

  static final List<String> PHASES = List.of(
      CoordinatedShutdown.PhaseBeforeServiceUnbind(),
      CoordinatedShutdown.PhaseBeforeClusterShutdown(),
      CoordinatedShutdown.PhaseClusterShardingShutdownRegion(),
      CoordinatedShutdown.PhaseClusterLeave(),
      CoordinatedShutdown.PhaseClusterExiting(),
      CoordinatedShutdown.PhaseClusterShutdown(),
      CoordinatedShutdown.PhaseActorSystemTerminate());

  private static final Logger log = LoggerFactory.getLogger(HandOverSetup.class);

  @Override
  public void start(NodeContext ctx) {
    new FencedCounterSetup().start(ctx);
    CoordinatedShutdown cs = CoordinatedShutdown.get(Adapter.toClassic(ctx.system()));
    for (String phase : PHASES) {
      cs.addTask(phase, "handover-mark-" + phase, () -> {
        log.info("CS phase {}", phase);
        return CompletableFuture.completedFuture(Done.getInstance());
      });
    }
  }
}
