package dev.regent.singleton.compat;

import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The Java usage shown in Pekko's typed cluster singleton documentation. PekkoDocsExample compiles
 * it against Pekko, RegentDocsExample against Regent; the two files differ only in the imports of
 * the three singleton classes and in the class name (PekkoApiCompatibilityTest checks that).
 */
public final class PekkoDocsExample {

  private PekkoDocsExample() {}

  /** The documentation's example: start the singleton if needed and get its proxy. */
  public static ActorRef<DocsCounter.Command> init(ActorSystem<?> system, String name) {
    ClusterSingleton singleton = ClusterSingleton.get(system);
    // Start if needed and provide a proxy to a named singleton
    ActorRef<DocsCounter.Command> proxy =
        singleton.init(SingletonActor.of(DocsCounter.create(), name));

    proxy.tell(DocsCounter.Increment.INSTANCE);
    return proxy;
  }

  /**
   * The documentation's supervision, application specific stop message and settings (a role),
   * together.
   */
  public static ActorRef<DocsCounter.Command> initSupervised(ActorSystem<?> system, String name,
      String role) {
    ClusterSingleton singleton = ClusterSingleton.get(system);
    SingletonActor<DocsCounter.Command> counterSingleton =
        SingletonActor.of(
                Behaviors.supervise(DocsCounter.create())
                    .onFailure(
                        SupervisorStrategy.restartWithBackoff(
                            Duration.ofSeconds(1), Duration.ofSeconds(10), 0.2)),
                name)
            .withStopMessage(DocsCounter.GoodByeCounter.INSTANCE)
            .withSettings(ClusterSingletonSettings.create(system).withRole(role));
    return singleton.init(counterSingleton);
  }

  /**
   * Settings a failover harness sets and reads besides (Pekko's own harness read
   * {@code removalMargin()}): removal margin plus hand-over retry interval, in milliseconds.
   */
  @SuppressWarnings("deprecation")
  public static long removalMarginPlusHandOverRetryMillis(ActorSystem<?> system) {
    ClusterSingletonSettings settings = ClusterSingletonSettings.create(system)
        .withRemovalMargin(Duration.ofMillis(300))
        .withHandoverRetryInterval(Duration.ofMillis(40));
    return settings.removalMargin().toMillis() + settings.handOverRetryInterval().toMillis();
  }
}
