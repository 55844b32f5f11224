package dev.regent.singleton.internal;

import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Where a singleton's actors live. The manager's path is the same on every node, so a proxy can
 * address the leader's manager from the leader's {@link Address} alone, without asking anyone.
 */
public final class SingletonPaths {

  private SingletonPaths() {}

  /** The manager's actor name, under {@code /system}. */
  public static String managerName(String singleton) {
    return "regent-singleton-" + singleton;
  }

  /** The proxy's actor name, under {@code /system}. */
  public static String proxyName(String singleton) {
    return "regent-singleton-proxy-" + singleton;
  }

  /** The singleton instance's name, under its manager. */
  public static final String INSTANCE = "singleton";

  /** The proxy of {@code singleton} on the node at {@code address}. */
  public static ActorRef<SingletonProxy.Command> proxy(ActorSystem<?> system, Address address,
      String singleton) {
    return ActorRefResolver.get(system)
        .resolveActorRef(address + "/system/" + proxyName(singleton));
  }

  /** The manager of {@code singleton} on the node at {@code address}. */
  public static ActorRef<SingletonManager.Command> manager(ActorSystem<?> system, Address address,
      String singleton) {
    return ActorRefResolver.get(system)
        .resolveActorRef(address + "/system/" + managerName(singleton));
  }
}
