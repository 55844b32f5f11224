package dev.regent.toolkit.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** TCP ports on loopback for test nodes. */
public final class Ports {

  /** Ports this JVM has handed out: not handed out twice. */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private Ports() {}

  /**
   * A port for a node, free when checked, and below the kernel's ephemeral range when that range
   * is known and leaves room: a node's port is released between this check and the node's bind
   * (and again whenever the node is down, e.g. for a restart on the same port), and a port of the
   * ephemeral range can be taken at any moment by any process's outgoing connection (on a shared
   * machine, a node then failed to start with "Address already in use"). Below the range, only a
   * program that binds that port on purpose can collide. Falls back to a port the kernel picks.
   */
  public static int freePort() {
    int low = 10_000;
    int high = ephemeralRange()[0] - 1;
    if (high - low >= 1000) {
      var random = ThreadLocalRandom.current();
      for (int attempt = 0; attempt < 100; attempt++) {
        int port = random.nextInt(low, high + 1);
        if (HANDED_OUT.contains(port)) {
          continue;
        }
        try (ServerSocket s = new ServerSocket()) {
          s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
          HANDED_OUT.add(port);
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The kernel's ephemeral port range ({@code /proc/sys/net/ipv4/ip_local_port_range}). */
  private static int[] ephemeralRange() {
    try {
      String[] parts = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim()
          .split("\\s+");
      return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    } catch (IOException | RuntimeException e) {
      return new int[] {32768, 60999}; // Linux's default
    }
  }
}
