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
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
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
 * A node's control channel: a loopback TCP server (or a Unix-domain socket on the namespace
 * backend), one request line per connection, one reply
 * line ({@code OK ...} or {@code ERR <message>}). Requests:
 *
 * <ul>
 *   <li>{@code PING}: {@code OK}, as soon as the JVM runs (before the actor system exists);
 *   <li>{@code STATUS}: {@code OK <json>} of a {@link NodeStatus};
 *   <li>{@code BLACKHOLE host:port} / {@code UNBLACKHOLE host:port}: drop / let through all Artery
 *       traffic to and from that node ({@link Blackhole});
 *   <li>{@code BLACKHOLE-OUTBOUND host:port} / {@code UNBLACKHOLE-OUTBOUND host:port}: drop / let
 *       through only what this node sends to that node (a one-way partition);
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
  /** The loopback TCP server, or null when the channel is a Unix-domain socket. */
  private final ServerSocket server;
  private final ServerSocketChannel unixServer;
  private final Set<String> blackholed = new ConcurrentSkipListSet<>();
  private volatile ActorSystem<?> system;
  final java.util.Map<String, java.util.function.Supplier<String>> probes =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * A control server on loopback TCP (an ephemeral port, see {@link #port}), or, with
   * {@code unixSocket}, on that Unix-domain socket (the namespace backend: the test JVM shares the
   * node's file system, not its network namespace).
   */
  ControlServer(int index, Optional<Path> unixSocket) throws IOException {
    this.index = index;
    this.server = unixSocket.isPresent() ? null
        : new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.unixServer = unixSocket.isPresent() ? UnixLines.listen(unixSocket.get()) : null;
    Thread t = new Thread(unixServer != null ? this::unixLoop : this::loop,
        "regent-control-server");
    t.setDaemon(true);
    t.start();
  }

  /** The TCP port (0 on a Unix-domain socket). */
  int port() {
    return server == null ? 0 : server.getLocalPort();
  }

  private void unixLoop() {
    while (unixServer.isOpen()) {
      try {
        UnixLines.serve(unixServer.accept(), java.time.Duration.ofSeconds(10), this::answer);
      } catch (IOException e) {
        if (!unixServer.isOpen()) {
          return;
        }
      }
    }
  }

  private String answer(String line) {
    try {
      return handle(line.trim());
    } catch (RuntimeException e) {
      return "ERR " + e.toString().replace('\n', ' ');
    }
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
        out.println(answer(line));
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
      case "BLACKHOLE-OUTBOUND":
      case "UNBLACKHOLE-OUTBOUND": {
        // One direction only: drop what this node sends to that node, keep receiving from it.
        boolean on = cmd.equals("BLACKHOLE-OUTBOUND");
        String target = parts[1].trim();
        outbound(sys, address(target), on);
        if (on) {
          blackholed.add("<" + target);
        } else {
          blackholed.remove("<" + target);
        }
        return "OK";
      }
      case "HEAL":
        for (String target : new ArrayList<>(blackholed)) {
          if (target.startsWith("<")) {
            outbound(sys, address(target.substring(1)), false);
          } else {
            Blackhole.set(sys, address(target), false);
          }
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

  /**
   * Artery's test-mode blackhole for traffic to {@code target} only ({@link Blackhole} sets both
   * directions); the same internal Pekko command, with the send direction. (The receive direction,
   * set on the receiver, was tried first and dropped nothing: the followers kept hearing the
   * leader's heartbeats.)
   */
  @SuppressWarnings("deprecation")
  private static void outbound(ActorSystem<?> sys, Address target, boolean on) {
    var provider = ((org.apache.pekko.actor.ExtendedActorSystem) sys.classicSystem()).provider();
    if (!(provider instanceof org.apache.pekko.remote.RemoteActorRefProvider remote)) {
      throw new IllegalStateException(sys + " has no remoting");
    }
    var mode = on
        ? org.apache.pekko.remote.transport.ThrottlerTransportAdapter.blackholeThrottleMode()
        : org.apache.pekko.remote.transport.ThrottlerTransportAdapter.unthrottledThrottleMode();
    Object ok;
    try {
      ok = scala.concurrent.Await.result(remote.transport().managementCommand(
              new org.apache.pekko.remote.transport.ThrottlerTransportAdapter.SetThrottle(target,
                  org.apache.pekko.remote.transport.ThrottlerTransportAdapter.sendDirection(),
                  mode)),
          scala.concurrent.duration.Duration.create(10, java.util.concurrent.TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("cannot set outbound throttle " + mode + " to " + target, e);
    }
    if (!Boolean.TRUE.equals(ok)) {
      throw new IllegalStateException("outbound throttle to " + target + " refused: " + ok);
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
