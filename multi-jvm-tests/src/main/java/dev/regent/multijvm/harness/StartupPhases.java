package dev.regent.multijvm.harness;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;

/**
 * Where a node's start-up time goes: named phases, each measured from the end of the one before
 * (the first from the harness's spawn), printed as {@code name-ms=...} on the node's
 * {@code REGENT-NODE-UP} line. {@link NodeMain}'s phases, in order:
 *
 * <ul>
 *   <li>{@code jvm-to-main}: JVM start until {@code main} (class-data sharing shows here);
 *   <li>{@code logging}: SLF4J/logback initialisation (parsing {@code logback-test.xml});
 *   <li>{@code config}: loading and resolving the HOCON configuration ({@code reference.conf}s);
 *   <li>{@code system}: {@code ActorSystem.create}: class loading and JIT of Pekko, Artery bind,
 *       the cluster extension (it starts joining the seed nodes at its end);
 *   <li>{@code setup}: the {@link NodeSetup} (Regent's election extension, its state file...);
 *   <li>{@code join}: until this node is a member (Joining): InitJoin to the seeds, InitJoinAck,
 *       Join, Welcome; or the first seed's own join after {@code seed-node-timeout};
 *   <li>{@code joining-to-up}: Joining to Up: gossip until convergence, the leader's next
 *       leader-actions tick, gossip back.
 * </ul>
 *
 * <p>The setup runs while the join proceeds: phases are printed in the order they ended, each from
 * the end of the one before, so the printed durations always add up to spawn-to-Up.
 */
final class StartupPhases {

  private final Map<String, Long> ends = new LinkedHashMap<>();
  private final long startNanos;

  StartupPhases(long startNanos) {
    this.startNanos = startNanos;
  }

  synchronized void mark(String phase) {
    mark(phase, System.nanoTime());
  }

  synchronized void mark(String phase, long nanos) {
    ends.putIfAbsent(phase, nanos);
  }

  @Override
  public synchronized String toString() {
    var j = new StringJoiner(" ");
    long[] prev = {startNanos};
    ends.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> {
      j.add(e.getKey() + "-ms=" + TimeUnit.NANOSECONDS.toMillis(Math.max(0, e.getValue() - prev[0])));
      prev[0] = Math.max(prev[0], e.getValue());
    });
    return j.toString();
  }

  /** Marks {@code join} when the cluster first lists this node as a member (any status). */
  static void markWhenSelfJoins(ActorSystem<?> system, StartupPhases phases) {
    var classic = Adapter.toClassic(system);
    var ref = ((org.apache.pekko.actor.ExtendedActorSystem) classic).systemActorOf(Props.create(SelfJoinWatcher.class, phases),
        "regent-startup-phases");
    Cluster.get(classic).subscribe(ref, ClusterEvent.initialStateAsEvents(),
        ClusterEvent.MemberEvent.class);
  }

  static final class SelfJoinWatcher extends AbstractActor {
    private final StartupPhases phases;

    SelfJoinWatcher(StartupPhases phases) {
      this.phases = phases;
    }

    @Override
    public Receive createReceive() {
      var self = Cluster.get(getContext().getSystem()).selfUniqueAddress();
      return receiveBuilder()
          .match(ClusterEvent.MemberEvent.class, e -> {
            if (e.member().uniqueAddress().equals(self)) {
              phases.mark("join");
              Cluster.get(getContext().getSystem()).unsubscribe(getSelf());
              getContext().stop(getSelf());
            }
          })
          .build();
    }
  }
}
