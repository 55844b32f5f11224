package dev.regent.singleton.internal;

import org.apache.pekko.actor.typed.ActorSystem;

/** Internal API: the election a {@code ClusterSingleton} uses unless a test supplies another. */
public final class LeadershipSources {

  private LeadershipSources() {}

  /** This system's Regent election. */
  public static LeadershipSource forSystem(ActorSystem<?> system) {
    throw new IllegalStateException(
        "RegentElection is not available yet on this branch; supply a LeadershipSource");
  }
}
