package dev.regent.multijvm.bench;

import dev.regent.multijvm.harness.NodeContext;
import dev.regent.multijvm.harness.NodeSetup;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * A Pekko node of the failover benchmark: Pekko's own typed
 * {@link org.apache.pekko.cluster.typed.ClusterSingleton} running {@link BenchSingleton}, with
 * settings from the profile's configuration ({@link BenchProfiles}: Pekko's split-brain resolver,
 * keep-majority), and the benchmark's probes ({@link BenchNode}). Pekko gives the singleton no
 * fencing token: it writes with {@link BenchSingleton#UNFENCED}, which the resource always accepts.
 * Nothing of Regent runs on these nodes (no election, no Regent extension).
 */
public final class PekkoBenchSetup implements NodeSetup {

  @Override
  public void start(NodeContext ctx) {
    ReceivedLog received = BenchNode.receivedLog(ctx);
    var proxy = ClusterSingleton.get(ctx.system()).init(
        SingletonActor.of(
                BenchSingleton.behavior(BenchSingleton.UNFENCED, ctx.history(), ctx.resource(),
                    received),
                BenchSingleton.NAME)
            .withStopMessage(new BenchSingleton.Stop()));
    BenchNode.install(ctx, proxy);
  }
}
