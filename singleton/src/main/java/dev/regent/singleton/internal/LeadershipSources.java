package dev.regent.singleton.internal;

import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.leadership.NodeId;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/** Internal API: the election a {@code ClusterSingleton} uses unless a test supplies another. */
public final class LeadershipSources {

  private LeadershipSources() {}

  /** This system's Regent election, started if it is not running yet. */
  public static LeadershipSource forSystem(ActorSystem<?> system) {
    return new Regent(RegentElection.get(system));
  }

  /** Adapts {@link RegentElection}, which has exactly the methods the singleton needs. */
  private record Regent(RegentElection election) implements LeadershipSource {
    @Override
    public NodeId selfId() {
      return election.selfId();
    }

    @Override
    public void subscribe(ActorRef<LeadershipEvent> subscriber) {
      election.subscribe(subscriber);
    }

    @Override
    public void unsubscribe(ActorRef<LeadershipEvent> subscriber) {
      election.unsubscribe(subscriber);
    }

    @Override
    public Leadership current() {
      return election.current();
    }

    @Override
    public void addHandOverTask(String name, Supplier<CompletionStage<Done>> task) {
      election.addHandOverTask(name, task);
    }
  }
}
