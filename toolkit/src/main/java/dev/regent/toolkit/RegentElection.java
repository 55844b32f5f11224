package dev.regent.toolkit;

import dev.regent.toolkit.internal.shell.ElectionRuntime;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.leadership.NodeId;
import dev.regent.toolkit.metrics.RegentMetrics;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * This node's part in Regent's quorum election, as a Pekko extension: {@code
 * RegentElection.get(system)} starts the election actor on first use (it runs as
 * {@code /system/regent-election}) and gives access to the leadership it sees.
 *
 * <p>Requires a cluster actor system ({@code pekko.actor.provider = cluster}); the node takes part
 * once it is an Up member (with {@code regent.election.voter-role}, if set).
 */
public final class RegentElection implements Extension {

  private static final class Id extends ExtensionId<RegentElection> {
    @Override
    public RegentElection createExtension(ActorSystem<?> system) {
      return new RegentElection(ElectionRuntime.get(system));
    }
  }

  private static final Id ID = new Id();

  private final ElectionRuntime runtime;

  private RegentElection(ElectionRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * The election of {@code system}, started on first call.
   *
   * @throws dev.regent.toolkit.config.InvalidSettingsException when {@code regent.election} is
   *     malformed or unsafe (the message names the keys)
   */
  public static RegentElection get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** This node's voter identity (its name and the id of its durable state). */
  public NodeId selfId() {
    return runtime.selfId();
  }

  /**
   * Subscribes to leadership events. The subscriber first receives the current state (a
   * {@link LeadershipEvent.LeaderKnown} if a leader is known, then a
   * {@link LeadershipEvent.BecameLeader} if this node holds the lease), then every later event in
   * order. Terminated subscribers are removed.
   */
  public void subscribe(ActorRef<LeadershipEvent> subscriber) {
    runtime.subscribe(subscriber);
  }

  public void unsubscribe(ActorRef<LeadershipEvent> subscriber) {
    runtime.unsubscribe(subscriber);
  }

  /**
   * Where the HTTP status endpoint listens ({@code GET /status}), when {@code
   * regent.status.enabled = on}.
   */
  public Optional<InetSocketAddress> statusAddress() {
    return runtime.statusAddress();
  }

  /** This node's metrics, also registered with JMX as {@code dev.regent:type=Election,node=...}. */
  public RegentMetrics metrics() {
    return runtime.metrics();
  }

  /** This node's view of the election right now; cheap, from any thread. */
  public Leadership current() {
    return runtime.current();
  }

  /**
   * Hands leadership to the most up-to-date other voter at once (it starts its election without
   * waiting for a timeout), once the {@link #addHandOverTask hand-over tasks} have completed (a
   * singleton on this node is stopped first). If they do not all complete successfully within
   * {@code regent.election.hand-over-timeout}, this node steps down without asking anyone to start
   * early, and the next leader is elected once this node's lease has run out. Completes when this
   * node no longer leads, at once if it does not lead; fails with a timeout if that takes longer
   * than {@code timeout} (choose it above the hand-over timeout).
   */
  public CompletionStage<Done> transferLeadership(Duration timeout) {
    return runtime.transferLeadership(timeout);
  }

  /**
   * Registers work that must finish on this node before it hands its leadership over, whatever the
   * reason ({@link #transferLeadership}, {@code Cluster.leave}, leaving or being downed while it
   * leads), such as stopping leader-only work: after a hand-over the next leader may take its
   * lease at once, not when this node's lease would have run out. Tasks run concurrently; the
   * hand-over goes on only when every task completed successfully within
   * {@code regent.election.hand-over-timeout}. A task that fails or is late is logged at ERROR and
   * the leader steps down without a hand-over (the next leader waits out the lease). The singleton
   * registers one per singleton.
   */
  public void addHandOverTask(String name, Supplier<CompletionStage<Done>> task) {
    runtime.addHandOverTask(name, task);
  }
}
