package dev.regent.multijvm.harness;

import dev.regent.toolkit.testkit.Blackhole;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;

/**
 * A node's control channel: a loopback TCP server, one request line per connection, one reply
 * line ({@code OK ...} or {@code ERR <message>}). Requests:
 *
 * <ul>
 *   <li>{@code PING}: {@code OK}, as soon as the JVM runs (before the actor system exists);
 *   <li>{@code STATUS}: {@code OK <json>} of a {@link NodeStatus};
 *   <li>{@code BLACKHOLE host:port} / {@code UNBLACKHOLE host:port}: drop / let through all Artery
 *       traffic to and from that node ({@link Blackhole});
 *   <li>{@code HEAL}: undo every blackhole of this node;
 *   <li>{@code PROBE name}: {@code OK <value>} of a probe the node setup registered;
 *   <li>{@code LEAVE}: graceful leave: run CoordinatedShutdown (cluster leave, then exit 0);
 *   <li>{@code CLUSTER-LEAVE}: {@code Cluster.leave} of this node (CoordinatedShutdown runs once
 *       the cluster has moved it to Exiting, then exit 0);
 *   <li>{@code EXIT}: CoordinatedShutdown without a reason tied to the cluster; exits 0.
 * </ul>
 */
final class ControlServer {

  private final int index;
  private final ServerSocket server;
  private final Set<String> blackholed = new ConcurrentSkipListSet<>();
  private volatile ActorSystem<?> system;
  final java.util.Map<String, java.util.function.Supplier<String>> probes =
      new java.util.concurrent.ConcurrentHashMap<>();

  ControlServer(int index) throws IOException {
    this.index = index;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::loop, "regent-control-server");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  void attach(ActorSystem<?> system) {
    this.system = system;
  }

  private void loop() {
    while (true) {
      try (Socket s = server.accept()) {
        s.setSoTimeout(10_000);
        var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        var out = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
        String line = in.readLine();
        if (line == null) {
          continue;
        }
        String reply;
        try {
          reply = handle(line.trim());
        } catch (RuntimeException e) {
          reply = "ERR " + e.toString().replace('\n', ' ');
        }
        out.println(reply);
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }

  private String handle(String line) {
    String[] parts = line.split(" ", 2);
    String cmd = parts[0];
    if (cmd.equals("PING")) {
      return "OK";
    }
    ActorSystem<?> sys = system;
    if (sys == null) {
      return "ERR not-ready: the actor system is still starting";
    }
    switch (cmd) {
      case "STATUS":
        return "OK " + HistoryRecorder.JSON.valueToTree(status(sys)).toString();
      case "BLACKHOLE":
      case "UNBLACKHOLE": {
        boolean on = cmd.equals("BLACKHOLE");
        String target = parts[1].trim();
        Blackhole.set(sys, address(target), on);
        if (on) {
          blackholed.add(target);
        } else {
          blackholed.remove(target);
        }
        return "OK";
      }
      case "HEAL":
        for (String target : new ArrayList<>(blackholed)) {
          Blackhole.set(sys, address(target), false);
          blackholed.remove(target);
        }
        return "OK";
      case "PROBE": {
        var probe = probes.get(parts.length > 1 ? parts[1].trim() : "");
        if (probe == null) {
          return "ERR no probe " + (parts.length > 1 ? parts[1].trim() : "");
        }
        return "OK " + String.valueOf(probe.get()).replace('\n', ' ');
      }
      case "LEAVE":
        CoordinatedShutdown.get(Adapter.toClassic(sys)).run(CoordinatedShutdown.clusterLeavingReason());
        return "OK";
      case "CLUSTER-LEAVE": {
        Cluster cluster = Cluster.get(Adapter.toClassic(sys));
        cluster.leave(cluster.selfAddress());
        return "OK";
      }
      case "EXIT":
        CoordinatedShutdown.get(Adapter.toClassic(sys)).run(CoordinatedShutdown.jvmExitReason());
        return "OK";
      default:
        return "ERR unknown command " + cmd;
    }
  }

  private static Address address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new Address("pekko", NodeMain.SYSTEM_NAME, hostPort.substring(0, colon),
        Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private NodeStatus status(ActorSystem<?> sys) {
    Cluster cluster = Cluster.get(Adapter.toClassic(sys));
    ClusterEvent.CurrentClusterState state = cluster.state();
    var members = new TreeMap<String, String>();
    for (Member m : state.getMembers()) {
      members.put(hostPort(m.address()), m.status().toString());
    }
    var unreachable = new ArrayList<String>();
    for (Member m : state.getUnreachable()) {
      unreachable.add(hostPort(m.address()));
    }
    Address leader = state.getLeader();
    Member self = cluster.selfMember();
    return new NodeStatus(index, ProcessHandle.current().pid(), hostPort(self.address()),
        self.status().toString(), members, unreachable, leader == null ? "" : hostPort(leader),
        new ArrayList<>(blackholed));
  }

  private static String hostPort(Address a) {
    return a.host().get() + ":" + a.port().get();
  }
}
