package dev.regent.examples;

import dev.regent.singleton.ClusterSingleton;
import dev.regent.singleton.ClusterSingletonSettings;
import dev.regent.singleton.SingletonActor;
import dev.regent.singleton.SingletonContext;
import dev.regent.toolkit.fencing.FencedStore;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.fencing.jdbc.JdbcFence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The code shown in README.md. README's snippets are copied from the tagged regions below, and
 * {@code ReadmeSnippetsTest} fails when the two drift apart, so every snippet in README compiles.
 */
public final class ReadmeExample {

  private ReadmeExample() {}

  /** A plain singleton, declared exactly as with Pekko's ClusterSingleton. */
  static ActorRef<Counter.Command> plain(ActorSystem<?> system) {
    // tag::plain[]
    ClusterSingleton singleton = ClusterSingleton.get(system);
    ActorRef<Counter.Command> proxy = singleton.init(
        SingletonActor.of(Counter.create(), "global-counter")
            .withStopMessage(new Counter.Stop())
            .withSettings(ClusterSingletonSettings.create(system).withBufferSize(500)));
    proxy.tell(new Counter.Increment());
    // end::plain[]
    return proxy;
  }

  /** A fenced singleton: its factory gets the fencing token and a cheap lease check. */
  static ActorRef<String> fenced(ActorSystem<?> system, FencedStore store) {
    // tag::fenced[]
    ActorRef<String> writer = ClusterSingleton.get(system).init(
        SingletonActor.<String>ofFenced(ctx -> Behaviors.receiveMessage(key -> {
          if (ctx.leaseValid()) {                    // cheap local check first
            store.increment(ctx.fencingToken(), key, 1); // the store rejects stale tokens
          }
          return Behaviors.same();
        }), "fenced-writer"));
    // end::fenced[]
    return writer;
  }

  /** What a downstream resource does with the token. */
  static boolean guarded(FencedStore store, FencingToken token) {
    // tag::guard[]
    boolean accepted = store.put(token, "owner", 42); // false once a newer token has written
    // end::guard[]
    return accepted;
  }

  /** Fenced writes to a database: the fence table refuses a deposed incarnation. */
  static int fencedInsert(ActorSystem<?> system, Connection connection, SingletonContext ctx,
      long id, long amount) throws SQLException {
    // tag::jdbc-fence[]
    JdbcFence fence = JdbcFence.fromConfig(
        system.settings().config().getConfig("regent.fencing.jdbc"));
    fence.createTable(connection); // once (the DDL is below)

    // in the fenced singleton: one transaction, StaleTokenException once deposed
    int rows = fence.write(connection, "orders", ctx.fencingToken(), c -> {
      try (PreparedStatement st = c.prepareStatement("INSERT INTO orders VALUES (?, ?)")) {
        st.setLong(1, id);
        st.setLong(2, amount);
        return st.executeUpdate();
      }
    });
    // end::jdbc-fence[]
    return rows;
  }

  /** A leader-only job: one "cron" in the whole cluster. */
  static ActorRef<LeaderOnlyJob.Command> cron(ActorSystem<?> system) {
    // tag::cron[]
    ActorRef<LeaderOnlyJob.Command> cron = ClusterSingleton.get(system).init(
        SingletonActor.ofFenced(
            ctx -> LeaderOnlyJob.create(ctx, Duration.ofMinutes(1),
                token -> System.out.println("nightly report, token " + token)),
            "nightly-report").withStopMessage(new LeaderOnlyJob.Stop()));
    // end::cron[]
    return cron;
  }

  /** A minimal counter used by the plain example. */
  public static final class Counter {
    /** Its protocol. */
    public sealed interface Command extends dev.regent.toolkit.serialization.RegentSerializable {}

    /** Adds one. */
    public record Increment() implements Command {}

    /** Stops it. */
    public record Stop() implements Command {}

    private Counter() {}

    static Behavior<Command> create() {
      return counting(0);
    }

    private static Behavior<Command> counting(long n) {
      return Behaviors.receive(Command.class)
          .onMessage(Increment.class, i -> counting(n + 1))
          .onMessage(Stop.class, s -> Behaviors.stopped())
          .build();
    }
  }
}
