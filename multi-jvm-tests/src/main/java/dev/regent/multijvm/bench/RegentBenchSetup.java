package dev.regent.multijvm.bench;

import dev.regent.multijvm.harness.LeadershipReporter;
import dev.regent.multijvm.harness.NodeContext;
import dev.regent.multijvm.harness.NodeSetup;
import dev.regent.singleton.ClusterSingleton;
import dev.regent.singleton.SingletonActor;

/**
 * A Regent node of the failover benchmark: Regent's {@link ClusterSingleton} running
 * {@link BenchSingleton} with its fencing token, settings from the profile's configuration
 * ({@link BenchProfiles}), the election reported to the history ({@link LeadershipReporter}, which
 * also gives the runner the voter count), and the benchmark's probes ({@link BenchNode}).
 */
public final class RegentBenchSetup implements NodeSetup {

  @Override
  public void start(NodeContext ctx) {
    LeadershipReporter.start(ctx);
    ReceivedLog received = BenchNode.receivedLog(ctx);
    var proxy = ClusterSingleton.get(ctx.system()).init(
        SingletonActor.<BenchSingleton.Command>ofFenced(
                sc -> BenchSingleton.behavior(sc.fencingToken(), ctx.history(),
                    ctx.resource(), received),
                BenchSingleton.NAME)
            .withStopMessage(new BenchSingleton.Stop())
            .withLifecycleListener(ctx.history().suspensions()));
    BenchNode.install(ctx, proxy);
  }
}
