package dev.regent.multijvm;

import dev.regent.multijvm.harness.HistoryRecorder;
import dev.regent.multijvm.harness.LeadershipReporter;
import dev.regent.multijvm.harness.NodeContext;
import dev.regent.multijvm.harness.NodeSetup;
import dev.regent.multijvm.harness.SeqLog;
import dev.regent.singleton.ClusterSingleton;
import dev.regent.singleton.SingletonActor;
import dev.regent.singleton.SingletonContext;
import dev.regent.toolkit.fencing.FencingToken;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The node setup of the delivery tests ({@link DeliveryFailureTest}): a singleton that records
 * every message it processes ({@value #PROCESSED} in the node's state directory, before it
 * replies) and confirms it to the sender with an {@link Ack}; and, on the node the test picks, a
 * sender that sends {@code regent-test.delivery.count} messages through the proxy at
 * {@code regent-test.delivery.rate} per second once asked ({@value #START} probe), recording each
 * confirmation that reaches it ({@value #CONFIRMED}). The delivery mode is the node's
 * {@code regent.singleton.delivery}. These files are the {@code DeliveryChecker}'s evidence.
 */
public final class DeliverySetup implements NodeSetup {

  /** The singleton's name. */
  static final String NAME = "delivery";
  static final String PROCESSED = "delivery-processed.log";
  static final String CONFIRMED = "delivery-confirmed.log";
  /** Probe: starts the sender on this node; answers "started". */
  static final String START = "delivery-start";
  /** Probe: how many messages the sender has sent. */
  static final String SENT = "delivery-sent";
  /** Probe: the proxy's counters, "directSends resent duplicateConfirmations unconfirmed". */
  static final String PROXY = "delivery-proxy";

  /** Marker of the messages that cross nodes (bound to jackson-cbor in {@link #config}). */
  public interface Wire {}

  /** Message {@code seq} of the stream; the singleton answers {@link Ack} to {@code replyTo}. */
  public record Msg(long seq, ActorRef<Ack> replyTo) implements Wire {}

  /** The singleton processed message {@code seq}. */
  public record Ack(long seq) implements Wire {}

  /** Node configuration: the delivery mode, the stream, the message binding. No downing. */
  static String config(String delivery, int rate, int count) {
    return """
        pekko.actor.serialization-bindings {
          "dev.regent.multijvm.DeliverySetup$Wire" = jackson-cbor
        }
        regent.singleton.delivery = %s
        regent-test.delivery.rate = %d
        regent-test.delivery.count = %d
        """.formatted(delivery, rate, count);
  }

  static Path processedLog(Path stateDirectory) {
    return stateDirectory.resolve(PROCESSED);
  }

  static Path confirmedLog(Path stateDirectory) {
    return stateDirectory.resolve(CONFIRMED);
  }

  @Override
  public void start(NodeContext ctx) {
    LeadershipReporter.start(ctx);
    var processed = new SeqLog(processedLog(ctx.stateDirectory()));
    @SuppressWarnings("unchecked")
    ActorRef<Msg> proxy = (ActorRef<Msg>) (ActorRef<?>) ClusterSingleton.get(ctx.system()).init(
        SingletonActor.<Msg>ofFenced(sc -> behavior(sc, ctx.history(), processed), NAME)
            .withLifecycleListener(ctx.history().suspensions()));

    var config = ctx.system().settings().config();
    int rate = config.getInt("regent-test.delivery.rate");
    long count = config.getLong("regent-test.delivery.count");
    var confirmed = new SeqLog(confirmedLog(ctx.stateDirectory()));
    ActorRef<Ack> acks = ctx.system().systemActorOf(Behaviors.receive(Ack.class)
        .onMessage(Ack.class, a -> {
          confirmed.append(a.seq());
          return Behaviors.same();
        }).build(), "delivery-acks", Props.empty());
    var sent = new AtomicLong();
    ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "delivery-sender");
      t.setDaemon(true);
      return t;
    });
    ctx.probe(SENT, () -> Long.toString(sent.get()));
    ctx.probe(PROXY, () -> {
      var stats = ClusterSingleton.get(ctx.system()).stats(NAME).orElseThrow();
      return stats.proxyDirectSends() + " " + stats.proxyResentCount() + " "
          + stats.duplicateConfirmations() + " " + stats.proxyUnconfirmed();
    });
    ctx.probe(START, () -> {
      long start = System.nanoTime();
      exec.scheduleAtFixedRate(() -> {
        // Catch up to rate x elapsed, at most count: a bounded stream.
        long due = Math.min(count, (System.nanoTime() - start) * rate / 1_000_000_000L + 1);
        while (sent.get() < due) {
          proxy.tell(new Msg(sent.incrementAndGet(), acks));
        }
      }, 0, 5, TimeUnit.MILLISECONDS);
      return "started";
    });
  }

  static Behavior<Msg> behavior(SingletonContext sc, HistoryRecorder history, SeqLog processed) {
    FencingToken token = sc.fencingToken();
    return Behaviors.setup(context -> {
      history.singletonStarted(token);
      return Behaviors.receive(Msg.class)
          .onMessage(Msg.class, m -> {
            processed.append(m.seq());
            m.replyTo().tell(new Ack(m.seq()));
            return Behaviors.same();
          })
          .onSignal(PostStop.class, s -> {
            history.singletonStopped(token);
            return Behaviors.same();
          })
          .build();
    });
  }
}
