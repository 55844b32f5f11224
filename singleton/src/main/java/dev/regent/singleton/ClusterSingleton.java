package dev.regent.singleton;

import dev.regent.singleton.internal.LeadershipSource;
import dev.regent.singleton.internal.LeadershipSources;
import dev.regent.singleton.internal.SingletonManager;
import dev.regent.singleton.internal.SingletonPaths;
import dev.regent.singleton.internal.SingletonProxy;
import dev.regent.singleton.internal.StatsCounters;
import dev.regent.toolkit.metrics.RegentMetrics;
import dev.regent.toolkit.config.InvalidSettingsException;
import dev.regent.toolkit.config.InvalidSettingsException.Problem;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.ExtensionSetup;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs singletons on the node elected by Regent, shaped like Pekko's typed
 * {@code ClusterSingleton}: {@code ClusterSingleton.get(system).init(SingletonActor.of(behavior,
 * name))} starts this node's manager and proxy for {@code name} and returns the proxy.
 *
 * <p>Differences from Pekko are listed in docs/SINGLETON.md: the host is the quorum-elected leader
 * holding a lease (not the oldest member), the instance is stopped before the lease can end,
 * fenced singletons receive a fencing token, and a failing instance is restarted with back-off.
 */
public final class ClusterSingleton implements Extension {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterSingleton.class);

  /** The extension id, as Pekko's {@code ClusterSingleton.id()}. */
  public static final ExtensionId<ClusterSingleton> ID = new Id();

  private static final class Id extends ExtensionId<ClusterSingleton> {
    @Override
    public ClusterSingleton createExtension(ActorSystem<?> system) {
      return new ClusterSingleton(system, LeadershipSources.forSystem(system));
    }
  }

  private record Initialised(ActorRef<?> proxy, StatsCounters stats) {}

  private final ActorSystem<?> system;
  private final LeadershipSource source;
  private final Map<String, Initialised> singletons = new HashMap<>();

  /**
   * Internal API: a singleton extension driven by {@code source} instead of RegentElection (tests,
   * alternative elections). Install it with {@link #setup}.
   */
  public ClusterSingleton(ActorSystem<?> system, LeadershipSource source) {
    this.system = Objects.requireNonNull(system, "system");
    this.source = Objects.requireNonNull(source, "source");
  }

  public static ClusterSingleton get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public static ExtensionId<ClusterSingleton> id() {
    return ID;
  }

  /**
   * Internal API: an actor system setup that makes {@link #get} use the leadership source that
   * {@code sourceFactory} creates for the system.
   */
  public static ExtensionSetup<ClusterSingleton> setup(
      Function<ActorSystem<?>, LeadershipSource> sourceFactory) {
    return new ExtensionSetup<ClusterSingleton>(ID,
        system -> new ClusterSingleton(system, sourceFactory.apply(system))) {};
  }

  /**
   * Starts this node's manager (on nodes with the configured role) and proxy for the singleton,
   * once per name; later calls with the same name return the same proxy, as in Pekko.
   *
   * @return the proxy: messages to it reach the current instance wherever it runs
   * @throws InvalidSettingsException when the settings are invalid, name the keys
   */
  @SuppressWarnings("unchecked")
  public synchronized <M> ActorRef<M> init(SingletonActor<M> singleton) {
    Initialised existing = singletons.get(singleton.name());
    if (existing != null) {
      return (ActorRef<M>) existing.proxy();
    }
    ClusterSingletonSettings settings =
        singleton.settings().orElseGet(() -> ClusterSingletonSettings.create(system));
    settings.checkAgainstElection(electionLease(), handOverTimeout());
    checkRole(settings);
    var stats = new StatsCounters(singleton.name(), RegentMetrics.get(system));
    String name = singleton.name();
    if (shouldRunManager(settings)) {
      ActorRef<SingletonManager.Command> manager = system.systemActorOf(
          SingletonManager.create(singleton, settings, source, stats),
          SingletonPaths.managerName(name), Props.empty());
      registerShutdownTask(name, manager, settings);
      // Every hand-over of this node's leadership (a requested transfer, Cluster.leave, leaving
      // or being downed while leading) waits for this: the manager answers only once the
      // instance has terminated. The election bounds the wait by its hand-over-timeout; this ask
      // only has to outlast it.
      Duration stopWait = handOverTimeout().plusSeconds(1);
      source.addHandOverTask("singleton [" + name + "] stop",
          () -> AskPattern.ask(manager, SingletonManager.StopForHandOver::new, stopWait,
              system.scheduler()));
    }
    ActorRef<Object> proxy = system.systemActorOf(
        SingletonProxy.create(name, settings, source, stats), SingletonPaths.proxyName(name),
        Props.empty());
    singletons.put(name, new Initialised(proxy, stats));
    LOG.debug("Singleton [{}] initialised with {}", name, settings);
    return (ActorRef<M>) (ActorRef<?>) proxy;
  }

  /** The counters of the singleton {@code name} on this node, once it was initialised. */
  public synchronized Optional<SingletonStats> stats(String name) {
    return Optional.ofNullable(singletons.get(name)).map(Initialised::stats);
  }

  private Duration handOverTimeout() {
    var config = system.settings().config();
    return config.hasPath("regent.election.hand-over-timeout")
        ? config.getDuration("regent.election.hand-over-timeout") : Duration.ofSeconds(2);
  }

  private Duration electionLease() {
    return system.settings().config().getDuration("regent.election.lease");
  }

  /**
   * Only voters are elected, so a role that differs from the voter role would let the singleton
   * run on a node without the role (or never run at all).
   */
  private void checkRole(ClusterSingletonSettings settings) {
    String voterRole = system.settings().config().getString("regent.election.voter-role");
    String role = settings.role().orElse("");
    if (!role.isEmpty() && !role.equals(voterRole)) {
      throw new InvalidSettingsException(List.of(new Problem(
          List.of(ClusterSingletonSettings.key("role"), "regent.election.voter-role"),
          "the singleton runs on the elected leader, so its role must be the voter role ('"
              + role + "' vs '" + voterRole + "')")));
    }
  }

  private boolean shouldRunManager(ClusterSingletonSettings settings) {
    return settings.role()
        .map(r -> Cluster.get(system).selfMember().getRoles().contains(r))
        .orElse(true);
  }

  /**
   * Graceful handover: stop the instance before the cluster shuts down. The election's own task
   * runs in the same phase and hands leadership over as soon as the instance has terminated (its
   * hand-over gate waits for this manager's stop), and the next leader starts its instance as soon
   * as it holds a lease.
   */
  private void registerShutdownTask(String name, ActorRef<SingletonManager.Command> manager,
      ClusterSingletonSettings settings) {
    Duration timeout = settings.stopBudget().plusSeconds(2);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(),
        "regent-singleton-stop-" + name, () -> {
          CompletionStage<Done> stopped = AskPattern.ask(manager,
              SingletonManager.StopForShutdown::new, timeout, system.scheduler());
          return stopped.exceptionally(e -> {
            // After a plain terminate() Pekko's cluster runs CoordinatedShutdown when every actor
            // (the manager and its instance too) is already gone: nothing is left to stop.
            boolean afterTermination = CoordinatedShutdown.get(system).getShutdownReason()
                .filter(r -> r == CoordinatedShutdown.clusterDowningReason()).isPresent();
            if (afterTermination) {
              LOG.debug("Singleton [{}] manager already gone at shutdown", name);
            } else {
              LOG.warn("Singleton [{}] did not confirm its stop: {}", name, e.toString());
            }
            return Done.getInstance();
          });
        });
  }

  // ---------------------------------------------------------------------------------------------
  // Pekko's ClusterSingleton API (the static forwarders of its ExtensionId), so that code switched
  // by its imports compiles (checked by PekkoApiCompatibilityTest).
  // ---------------------------------------------------------------------------------------------

  /** As Pekko's {@code ClusterSingleton.apply(system)}: the same as {@link #get}. */
  public static ClusterSingleton apply(ActorSystem<?> system) {
    return get(system);
  }

  /**
   * As Pekko's {@code ClusterSingleton.createExtension(system)}: a new instance that is not the
   * system's registered extension (the extension machinery calls this). Applications use
   * {@link #get}.
   */
  public static ClusterSingleton createExtension(ActorSystem<?> system) {
    return ID.createExtension(system);
  }
}
