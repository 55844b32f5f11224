package dev.regent.examples.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.regent.examples.TicketAllocator;
import dev.regent.singleton.ClusterSingleton;
import dev.regent.singleton.SingletonActor;
import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.leadership.Leadership;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One demo node: a Pekko cluster member on 127.0.0.1 that runs the election and the fenced ticket
 * allocator singleton, sends it a ticket request every 100 ms through its proxy, and prints a
 * {@link NodeStatus} line whenever something changes. Run one per terminal:
 *
 * <pre>java -cp ... dev.regent.examples.demo.DemoNode --port 2551 --seeds 2551,2552</pre>
 *
 * <p>A node that already has election state (it was a member before) never lists itself first
 * among its seed nodes: Pekko's first seed forms a new cluster by itself when no other seed answers
 * in time, and a restarted node would then sit on an island of its own while the real cluster runs
 * on. It joins through the other seeds instead. After a full outage one node has to form the
 * cluster again: start that one with {@code --form-cluster}.
 */
public final class DemoNode {

  private DemoNode() {}

  public static void main(String[] args) throws Exception {
    int port = 2551;
    List<Integer> seeds = List.of(2551, 2552);
    Path stateDir = Path.of("target", "regent-demo", "state");
    Path storeFile = Path.of("target", "regent-demo", "tickets.log");
    boolean watchParent = false;
    boolean formCluster = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--seeds" -> {
          var list = new ArrayList<Integer>();
          for (String s : args[++i].split(",")) {
            list.add(Integer.parseInt(s.trim()));
          }
          seeds = list;
        }
        case "--state-dir" -> stateDir = Path.of(args[++i]);
        case "--store" -> storeFile = Path.of(args[++i]);
        case "--watch-parent" -> watchParent = true;
        case "--form-cluster" -> formCluster = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --port N --seeds A,B --state-dir DIR --store FILE [--form-cluster])");
      }
    }
    java.nio.file.Files.createDirectories(stateDir);
    if (storeFile.getParent() != null) {
      java.nio.file.Files.createDirectories(storeFile.getParent());
    }
    if (watchParent) {
      watchParent();
    }
    seeds = seedOrder(port, seeds, hasElectionState(stateDir, port), formCluster);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "regent-demo",
        config(port, seeds, stateDir));
    run(system, new SharedFencedFile(storeFile));
  }

  /**
   * The seed nodes in the order this node should try them: as given for a fresh node; with this
   * node moved last when it has election state (so it joins the running cluster and never forms an
   * island); with this node first when told to form the cluster.
   */
  static List<Integer> seedOrder(int port, List<Integer> seeds, boolean hasState,
      boolean formCluster) {
    var ordered = new ArrayList<Integer>(seeds);
    if (!ordered.contains(port) || !(hasState || formCluster)) {
      return List.copyOf(ordered);
    }
    ordered.remove(Integer.valueOf(port));
    if (formCluster) {
      ordered.add(0, port);
    } else {
      ordered.add(port);
    }
    return List.copyOf(ordered);
  }

  /** Whether this node (named after 127.0.0.1 and its port, the default) has election state. */
  static boolean hasElectionState(Path stateDir, int port) {
    String name = dev.regent.toolkit.internal.config.NodeNames.fromHostPort("127.0.0.1", port);
    return java.nio.file.Files.exists(stateDir.resolve(name)
        .resolve(dev.regent.toolkit.internal.state.DurableStateStore.STATE_FILE));
  }

  static Config config(int port, List<Integer> seeds, Path stateDir) {
    var seedList = new StringBuilder();
    for (int s : seeds) {
      seedList.append(seedList.length() == 0 ? "" : ",")
          .append("\"pekko://regent-demo@127.0.0.1:").append(s).append('"');
    }
    return ConfigFactory.parseString(
        "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"\n"
            + "pekko.remote.artery.canonical.port = " + port + "\n"
            + "pekko.cluster.seed-nodes = [" + seedList + "]\n"
            + "regent.election.state-directory = \"" + stateDir.toAbsolutePath() + "\"\n"
            // The status endpoint (GET /status on 127.0.0.1) that StatusCommand reads.
            + "regent.status.enabled = on\n"
            + "regent.status.port = " + (port + StatusCommand.STATUS_PORT_OFFSET) + "\n")
        .withFallback(ConfigFactory.parseResources("demo-node.conf"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  private static void run(ActorSystem<Void> system, SharedFencedFile store) {
    var observer = new TicketAllocator.Observer();
    var election = RegentElection.get(system);
    ActorRef<TicketAllocator.Command> proxy = ClusterSingleton.get(system).init(
        SingletonActor.ofFenced(ctx -> TicketAllocator.create(ctx, store, observer),
            "ticket-allocator"));
    String self = election.selfId().name();
    String[] last = {""};
    system.scheduler().scheduleAtFixedRate(Duration.ofMillis(100), Duration.ofMillis(100), () -> {
      proxy.tell(new TicketAllocator.Allocate(self));
      Leadership l = election.current();
      int up = 0;
      for (var m : Cluster.get(system).state().getMembers()) {
        if (m.status() == MemberStatus.up()) {
          up++;
        }
      }
      var status = new NodeStatus(self, up, l.leader().map(n -> n.name()).orElse("-"), l.term(),
          observer.token.get(), observer.issued.get(), observer.startedAtMillis.get());
      String line = status.toLine();
      if (!line.equals(last[0])) {
        last[0] = line;
        System.out.println(line);
        System.out.flush();
      }
    }, system.executionContext());
  }

  /** Exits when the launcher that started this node dies (its pipe to our stdin closes). */
  private static void watchParent() {
    Thread t = new Thread(() -> {
      try {
        InputStream in = System.in;
        while (in.read() >= 0) {
          // keep reading until the launcher's end of the pipe closes
        }
      } catch (IOException e) {
        // treated as the parent being gone
      }
      Runtime.getRuntime().halt(3);
    }, "parent-watchdog");
    t.setDaemon(true);
    t.start();
  }
}
