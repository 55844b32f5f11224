package dev.regent.toolkit.internal.config;

import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.actor.Address;

/**
 * Node names: how a voter is named when {@code regent.election.node-name} is not set, and which
 * names are safe to use as a directory name for the node's durable state.
 *
 * <p>Every node must derive the same name for the same member, so the derivation is a pure function
 * of the member's canonical address: {@code host:port} with every character outside
 * {@code [A-Za-z0-9._-]} replaced by {@code -} (for example {@code 127.0.0.1-2551}).
 */
public final class NodeNames {

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern UNSAFE_CHAR = Pattern.compile("[^A-Za-z0-9._-]");

  private NodeNames() {}

  /** The name of the node at {@code host:port}. */
  public static String fromHostPort(String host, int port) {
    return sanitise(host + ":" + port);
  }

  /**
   * The name of the node with this canonical address, or empty when the address has no host and
   * port (a local, non-remoting actor system).
   */
  public static Optional<String> fromAddress(Address address) {
    if (address.host().isEmpty() || address.port().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(fromHostPort(address.host().get(), (Integer) address.port().get()));
  }

  /**
   * Replaces every character outside {@code [A-Za-z0-9._-]} with {@code -}; the names {@code .} and
   * {@code ..} (which would escape a directory) get a leading {@code _}.
   */
  public static String sanitise(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("node name must not be empty");
    }
    String s = UNSAFE_CHAR.matcher(name).replaceAll("-");
    return s.equals(".") || s.equals("..") ? "_" + s : s;
  }

  /** Whether {@code name} is already safe (it equals its {@link #sanitise sanitised} form). */
  public static boolean isSafe(String name) {
    return SAFE.matcher(name).matches() && !name.equals(".") && !name.equals("..");
  }
}
