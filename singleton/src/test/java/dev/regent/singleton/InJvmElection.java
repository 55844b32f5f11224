package dev.regent.singleton;

import dev.regent.singleton.internal.LeadershipSource;
import dev.regent.toolkit.internal.config.NodeNames;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.LeadershipEvent.BecameLeader;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderKnown;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaderLost;
import dev.regent.toolkit.leadership.LeadershipEvent.LeaseRenewed;
import dev.regent.toolkit.leadership.LeadershipEvent.Reason;
import dev.regent.toolkit.leadership.LeadershipEvent.SteppedDown;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.leadership.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A stand-in for RegentElection shared by the nodes of an in-JVM cluster: one coordinator decides
 * who leads, emits the events a real election would (BecameLeader / LeaseRenewed to the leader,
 * LeaderKnown / LeaderLost to all) and renews the leader's lease every 100 ms. A crashed leader
 * (its system terminated) is replaced only after its lease has run out, like a real election; a
 * leader shutting down gracefully hands over at once from the same CoordinatedShutdown phase as
 * RegentElection. Lets the manager and proxy be tested over real remoting before the real election
 * exists, and with exactly controlled timing.
 */
final class InJvmElection implements AutoCloseable {

  static final Duration LEASE = Duration.ofMillis(500);
  static final Duration HEARTBEAT = Duration.ofMillis(100);
  /** A follower notices a silent leader after about this long. */
  static final Duration DETECT = Duration.ofMillis(300);
  /** The next leader is elected this long after a crash: after the lease has surely ended. */
  static final Duration FAILOVER = Duration.ofMillis(800);

  final class Node implements LeadershipSource {
    final NodeId id;
    final Address address;
    final List<ActorRef<LeadershipEvent>> subscribers = new CopyOnWriteArrayList<>();
    volatile Leadership current;
    volatile boolean alive = true;
    /** Shutting down: still told who leads, never elected again. */
    volatile boolean leaving;

    Node(NodeId id, Address address) {
      this.id = id;
      this.address = address;
      this.current = new Leadership(id, 0, Optional.empty(), Optional.empty(), false, 0);
    }

    @Override
    public NodeId selfId() {
      return id;
    }

    @Override
    public void subscribe(ActorRef<LeadershipEvent> subscriber) {
      synchronized (InJvmElection.this) {
        Leadership c = current;
        if (c.leader().isPresent()) {
          subscriber.tell(new LeaderKnown(c.leader().get(), c.leaderAddress().get(), c.term()));
        }
        if (c.isLeader()) {
          subscriber.tell(new BecameLeader(c.term(), c.leaseDeadlineNanos()));
        }
        subscribers.add(subscriber);
      }
    }

    @Override
    public void unsubscribe(ActorRef<LeadershipEvent> subscriber) {
      subscribers.remove(subscriber);
    }

    @Override
    public Leadership current() {
      return current;
    }

    void emit(LeadershipEvent event, Leadership next) {
      current = next;
      subscribers.forEach(s -> s.tell(event));
    }

    @Override
    public String toString() {
      return id.name();
    }
  }

  private final List<Node> nodes = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "in-jvm-election");
    t.setDaemon(true);
    return t;
  });
  private long term;
  private Node leader;
  private volatile boolean autoFailover = true;

  InJvmElection() {
    timer.scheduleAtFixedRate(this::renew, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Whether a crashed leader is replaced automatically (otherwise the test calls elect). */
  void autoFailover(boolean on) {
    autoFailover = on;
  }

  /** Joins {@code system} to the election; the first node to register is elected. */
  synchronized Node register(ActorSystem<?> system) {
    Address address = ((ExtendedActorSystem) system.classicSystem()).provider().getDefaultAddress();
    var node = new Node(new NodeId(NodeNames.fromAddress(address).orElseThrow(), 1), address);
    nodes.add(node);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseClusterShardingShutdownRegion(),
        "in-jvm-election-transfer", () -> {
          // Pekko's cluster also runs CoordinatedShutdown (ClusterDowningReason) after a plain
          // terminate(), when every actor is already gone: that is a crash, not a handover.
          boolean crash = CoordinatedShutdown.get(system).getShutdownReason()
              .filter(r -> r == CoordinatedShutdown.clusterDowningReason()).isPresent();
          if (!crash) {
            transferFrom(node);
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    system.getWhenTerminated().thenRun(() -> crashed(node));
    if (leader == null && term == 0) {
      elect(node);
    } else if (leader != null) {
      node.emit(new LeaderKnown(leader.id, leader.address, term),
          new Leadership(node.id, term, Optional.of(leader.id), Optional.of(leader.address), false,
              0));
    }
    return node;
  }

  synchronized Node nodeFor(String name) {
    return nodes.stream().filter(n -> n.id.name().equals(name)).findFirst().orElseThrow();
  }

  synchronized Optional<Node> leader() {
    return Optional.ofNullable(leader);
  }

  synchronized long term() {
    return term;
  }

  /** Makes {@code node} leader of a new term (the caller ensures the old lease has run out). */
  synchronized void elect(Node node) {
    term++;
    leader = node;
    long deadline = System.nanoTime() + LEASE.toNanos();
    node.emit(new BecameLeader(term, deadline), new Leadership(node.id, term, Optional.of(node.id),
        Optional.of(node.address), true, deadline));
    for (Node n : nodes) {
      if (n.alive) {
        n.emit(new LeaderKnown(node.id, node.address, term), new Leadership(n.id, term,
            Optional.of(node.id), Optional.of(node.address), n == node, n == node ? deadline : 0));
      }
    }
  }

  private synchronized void renew() {
    if (leader != null && leader.alive) {
      long deadline = System.nanoTime() + LEASE.toNanos();
      leader.emit(new LeaseRenewed(term, deadline), new Leadership(leader.id, term,
          Optional.of(leader.id), Optional.of(leader.address), true, deadline));
    }
  }

  private synchronized void crashed(Node node) {
    node.alive = false;
    if (node != leader) {
      return;
    }
    long lostTerm = term;
    leader = null;
    timer.schedule(() -> {
      synchronized (this) {
        for (Node n : nodes) {
          if (n.alive && leader == null) {
            n.emit(new LeaderLost(lostTerm), new Leadership(n.id, lostTerm, Optional.empty(),
                Optional.empty(), false, 0));
          }
        }
      }
    }, DETECT.toMillis(), TimeUnit.MILLISECONDS);
    timer.schedule(() -> {
      synchronized (this) {
        if (autoFailover && leader == null) {
          electable().ifPresent(this::elect);
        }
      }
    }, FAILOVER.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Graceful handover: the leader steps down and the next live node is elected at once. */
  private synchronized void transferFrom(Node node) {
    if (node != leader) {
      return;
    }
    node.leaving = true;
    leader = null;
    node.emit(new SteppedDown(term, Reason.TRANSFER),
        new Leadership(node.id, term, Optional.empty(), Optional.empty(), false, 0));
    electable().ifPresent(this::elect);
  }

  private Optional<Node> electable() {
    return nodes.stream().filter(n -> n.alive && !n.leaving).findFirst();
  }

  @Override
  public synchronized String toString() {
    return "InJvmElection(term " + term + ", leader " + leader + ", nodes " + nodes.stream()
        .map(n -> n + (n.alive ? "" : " dead") + (n.leaving ? " leaving" : "") + ": " + n.current)
        .toList() + ")";
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
