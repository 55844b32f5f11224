package dev.regent.examples.demo;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One status line of a demo node, as printed on its standard output:
 * {@code STATUS node=127.0.0.1-2551 members=3 leader=127.0.0.1-2552 term=4 singleton=0 tickets=17
 * startedAtMillis=... refused=0}. {@code singleton} is the token of the singleton running on that node,
 * or 0; {@code refused} counts the ticket writes of that node the store (the database) refused.
 */
public record NodeStatus(String node, int members, String leader, long term, long singletonToken,
                         long tickets, long singletonStartedAtMillis, long refused) {

  static final String PREFIX = "STATUS ";

  String toLine() {
    return PREFIX + "node=" + node + " members=" + members + " leader=" + leader + " term=" + term
        + " singleton=" + singletonToken + " tickets=" + tickets
        + " startedAtMillis=" + singletonStartedAtMillis + " refused=" + refused;
  }

  static Optional<NodeStatus> parse(String line) {
    if (!line.startsWith(PREFIX)) {
      return Optional.empty();
    }
    Map<String, String> kv = new HashMap<>();
    for (String part : line.substring(PREFIX.length()).trim().split(" ")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        kv.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    try {
      return Optional.of(new NodeStatus(kv.get("node"), Integer.parseInt(kv.get("members")),
          kv.get("leader"), Long.parseLong(kv.get("term")), Long.parseLong(kv.get("singleton")),
          Long.parseLong(kv.get("tickets")), Long.parseLong(kv.get("startedAtMillis")),
          Long.parseLong(kv.getOrDefault("refused", "0"))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
