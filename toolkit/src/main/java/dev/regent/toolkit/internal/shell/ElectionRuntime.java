package dev.regent.toolkit.internal.shell;

import dev.regent.toolkit.config.InvalidSettingsException;
import dev.regent.toolkit.internal.config.ElectionSettings;
import dev.regent.toolkit.internal.election.ElectionEffect;
import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.internal.election.HardState;
import dev.regent.toolkit.internal.election.NodeState;
import dev.regent.toolkit.internal.election.VoterConfig;
import dev.regent.toolkit.internal.state.DurableStateStore;
import dev.regent.toolkit.internal.status.StatusServer;
import dev.regent.toolkit.internal.status.StatusSettings;
import dev.regent.toolkit.internal.status.StatusSource;
import dev.regent.toolkit.internal.wire.ElectionProtocol;
import dev.regent.toolkit.internal.wire.WireWarmUp;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.leadership.NodeId;
import dev.regent.toolkit.metrics.RegentMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's election machinery: settings, identity, the two system actors (the supervised
 * election actor and the subscriber fan-out), and the snapshot that {@code RegentElection.current()}
 * reads. Created once per actor system, on first use of {@code RegentElection}.
 *
 * <p>Internal API: applications use {@link dev.regent.toolkit.RegentElection}.
 */
public final class ElectionRuntime implements Extension, StatusSource {

  /** {@link #addHandOverTask}: name and task, run when the core asks to release hosting. */
  private final List<Map.Entry<String, Supplier<CompletionStage<Done>>>> handOverTasks =
      new CopyOnWriteArrayList<>();

  /** Name of the election actor under {@code /system}; peers address it by this path. */
  public static final String ACTOR_NAME = "regent-election";
  /** The election actor's path relative to a member's address. */
  public static final String ACTOR_PATH = "/system/" + ACTOR_NAME;
  /** Name of the subscriber fan-out actor under {@code /system}. */
  public static final String PUBLISHER_NAME = "regent-election-events";
  /** The dispatcher the election actor runs on (it blocks for fsync). */
  public static final String DISPATCHER = "regent.election.dispatcher";

  private static final Logger log = LoggerFactory.getLogger(ElectionRuntime.class);

  private static final class Id extends ExtensionId<ElectionRuntime> {
    @Override
    public ElectionRuntime createExtension(ActorSystem<?> system) {
      return new ElectionRuntime(system);
    }
  }

  private static final Id ID = new Id();

  /** The runtime of {@code system}, started on first call. */
  public static ElectionRuntime get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final ActorSystem<?> system;
  private final ElectionSettings settings;
  private final String selfName;
  private final NodeId selfId;
  private final Address selfAddress;
  private final long selfUid;
  private final ActorRef<LeadershipPublisher.Command> publisher;
  private final ActorRef<ElectionProtocol> electionActor;
  private final RegentMetrics metrics;
  private final Optional<StatusServer> status;

  private volatile Leadership snapshot;
  /** Set at graceful leave; survives restarts of the election actor. */
  volatile boolean retiring;
  private volatile NodeState lastState;
  private volatile VoterConfig voterConfig = VoterConfig.EMPTY;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong restarts = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final Map<ElectionEffect.RejectReason, AtomicLong> rejectedByReason =
      new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> receivedByType = new ConcurrentHashMap<>();

  private ElectionRuntime(ActorSystem<?> system) {
    this.system = system;
    this.settings = ElectionSettings.create(system); // throws InvalidSettingsException
    StatusSettings statusSettings = StatusSettings.create(system.settings().config()); // throws
    this.selfName = settings.nodeName().orElseThrow(() -> new InvalidSettingsException(List.of(
        new InvalidSettingsException.Problem(List.of(ElectionSettings.PATH + ".node-name"),
            "must be set: this actor system has no canonical host and port to derive it from"))));
    var self = Cluster.get(system).selfMember().uniqueAddress();
    this.selfAddress = self.address();
    this.selfUid = self.longUid();
    // Learn (or mint and persist) this node's identity now, so selfId() is known at once and a
    // locked or corrupted state fails here, loudly. The election actor opens the store again.
    HardState hard;
    try (DurableStateStore store = DurableStateStore.open(settings.stateDirectory(), selfName)) {
      this.selfId = store.self();
      hard = store.load();
    }
    this.snapshot = new Leadership(selfId, hard.term(), Optional.empty(), Optional.empty(), false,
        0L, hard.lineage());
    this.voterConfig = hard.config();
    this.metrics = RegentMetrics.get(system);
    metrics.term(hard.term());
    // Bound before any actor starts, so a port in use fails start-up without leaving actors behind.
    this.status = statusSettings.enabled()
        ? Optional.of(StatusServer.start(this, statusSettings)) : Optional.empty();
    this.publisher = system.systemActorOf(LeadershipPublisher.create(), PUBLISHER_NAME,
        Props.empty());
    WireWarmUp.start(system); // the first vote, heartbeat and ack of this JVM are then not cold
    var supervised = Behaviors.supervise(ElectionActor.create(this))
        .onFailure(settings.restartBackoff().toSupervisorStrategy());
    this.electionActor = system.systemActorOf(supervised, ACTOR_NAME,
        DispatcherSelector.fromConfig(DISPATCHER));
    // In the phase where the singletons stop, not after it: the hand-over is gated on their stop
    // (ReleaseHosting -> the hand-over tasks -> HostingReleased -> TimeoutNow), so running both at
    // once is safe and saves a phase transition and a second round through the managers.
    CoordinatedShutdown.get(system.classicSystem()).addTask(
        CoordinatedShutdown.PhaseBeforeClusterShutdown(), "regent-election-hand-over",
        () -> retire(settings.handOverTimeout().plusSeconds(1)));
    log.debug("Election of {} started at {}", selfId, selfAddress);
  }

  @Override
  public ActorSystem<?> system() {
    return system;
  }

  public ElectionSettings settings() {
    return settings;
  }

  public NodeId selfId() {
    return selfId;
  }

  @Override
  public String selfName() {
    return selfName;
  }

  @Override
  public Address selfAddress() {
    return selfAddress;
  }

  public long selfUid() {
    return selfUid;
  }

  UniqueAddress selfUniqueAddress() {
    return UniqueAddress.apply(selfAddress, selfUid);
  }

  /** The election actor (accepts peer envelopes and the commands in {@link ElectionActor}). */
  public ActorRef<ElectionProtocol> electionActor() {
    return electionActor;
  }

  /** This node's metrics (also registered with JMX). */
  @Override
  public RegentMetrics metrics() {
    return metrics;
  }

  /** Where the status endpoint listens, when {@code regent.status.enabled = on}. */
  public Optional<java.net.InetSocketAddress> statusAddress() {
    return status.map(StatusServer::address);
  }

  /** The latest snapshot. */
  @Override
  public Leadership current() {
    return snapshot;
  }

  void setSnapshot(Leadership s) {
    snapshot = s;
  }

  void publish(LeadershipEvent e) {
    publisher.tell(new LeadershipPublisher.Publish(e));
  }

  public void subscribe(ActorRef<LeadershipEvent> subscriber) {
    publisher.tell(new LeadershipPublisher.Subscribe(subscriber));
  }

  public void unsubscribe(ActorRef<LeadershipEvent> subscriber) {
    publisher.tell(new LeadershipPublisher.Unsubscribe(subscriber));
  }

  /**
   * Work that must be finished on this node before it hands its leadership over, whatever the
   * reason (a {@link #transferLeadership} request, {@code Cluster.leave}, the node leaving or being
   * downed while it leads): e.g. the singleton stops its instance and completes once it has
   * terminated. Needed because a hand-over lets the next leader win and take a lease at once,
   * without waiting for this node's lease to run out.
   *
   * <p>The election core decides when: it asks the election actor to release what it hosts, the
   * actor runs every task (concurrently) and the hand-over goes on only once all of them completed
   * successfully. A task that fails or does not complete within {@code hand-over-timeout} stops the
   * hand-over: the leader then steps down without asking a successor to start early (an ERROR names
   * the task), so the next leader waits out this node's lease.
   */
  public void addHandOverTask(String name, Supplier<CompletionStage<Done>> task) {
    handOverTasks.add(Map.entry(name, task));
  }

  /** The registered hand-over tasks, in registration order (name and task). */
  List<Map.Entry<String, Supplier<CompletionStage<Done>>>> handOverTasks() {
    return List.copyOf(handOverTasks);
  }

  /**
   * Hands leadership over at once (after this node's singletons stopped, see
   * {@link #addHandOverTask}); completes when this node no longer leads, or fails after
   * {@code timeout}.
   */
  public CompletionStage<Done> transferLeadership(Duration timeout) {
    if (!snapshot.isLeader()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return ask(ElectionActor.Transfer::new, timeout);
  }

  /**
   * For graceful leave: this node stops campaigning (as if it were no longer eligible) and, if it
   * leads, hands over (after its singletons stopped); completes once it no longer leads. Never
   * fails: shutdown must go on.
   */
  CompletionStage<Done> retire(Duration timeout) {
    return ask(ElectionActor.Retire::new, timeout).exceptionally(t -> {
      log.warn("Election of {}: hand-over at shutdown did not complete: {}", selfId, t.toString());
      return Done.getInstance();
    });
  }

  private CompletionStage<Done> ask(Function<ActorRef<Done>, ElectionProtocol> command,
      Duration timeout) {
    return AskPattern.<ElectionProtocol, Done>ask(electionActor, command::apply, timeout,
        system.scheduler());
  }

  // ---- observability (also used by tests) ---------------------------------------------------

  /** The election core's latest state on this node (for diagnostics and tests). */
  public Optional<NodeState> lastState() {
    return Optional.ofNullable(lastState);
  }

  void setLastState(NodeState s) {
    lastState = s;
  }

  /** The voter configuration this node uses. */
  @Override
  public VoterConfig voterConfig() {
    return voterConfig;
  }

  void setVoterConfig(VoterConfig c) {
    voterConfig = c;
  }

  /** Peer messages accepted and handed to the core so far. */
  public long receivedCount() {
    return received.get();
  }

  /** Accepted peer messages by message type (simple class name). */
  public long receivedCount(Class<? extends ElectionMessage> type) {
    var c = receivedByType.get(type.getSimpleName());
    return c == null ? 0 : c.get();
  }

  void countReceived(ElectionMessage m) {
    received.incrementAndGet();
    receivedByType.computeIfAbsent(m.getClass().getSimpleName(), k -> new AtomicLong())
        .incrementAndGet();
  }

  /** Incoming messages dropped as bad input so far. */
  public long droppedCount() {
    return dropped.get();
  }

  void countDropped(String kind) {
    dropped.incrementAndGet();
    metrics.peerMessageDropped(kind);
  }

  /** Peer messages the election core refused (foreign lineage, no lineage, implausible term). */
  public long rejectedCount() {
    return rejected.get();
  }

  /** Refused peer messages of one kind ({@code ElectionEffect.RejectReason} name). */
  public long rejectedCount(ElectionEffect.RejectReason reason) {
    var c = rejectedByReason.get(reason);
    return c == null ? 0 : c.get();
  }

  void countRejected(ElectionEffect.RejectReason reason) {
    rejected.incrementAndGet();
    rejectedByReason.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
    metrics.peerMessageRejected(reason.name());
  }

  /** How many times the election actor failed and was restarted. */
  public long restartCount() {
    return restarts.get();
  }

  void countRestart() {
    restarts.incrementAndGet();
  }
}
