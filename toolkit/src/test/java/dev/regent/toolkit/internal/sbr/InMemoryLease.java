package dev.regent.toolkit.internal.sbr;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.coordination.lease.LeaseSettings;
import org.apache.pekko.coordination.lease.javadsl.Lease;

/**
 * A Pekko coordination lease backed by a map shared by every ActorSystem in this JVM: the first
 * owner to acquire a name holds it until it releases it. For tests only.
 */
public final class InMemoryLease extends Lease {

  /** Lease name to owner. */
  static final Map<String, String> HOLDERS = new ConcurrentHashMap<>();

  private final LeaseSettings settings;

  public InMemoryLease(LeaseSettings settings, ExtendedActorSystem system) {
    this.settings = settings;
  }

  @Override
  public LeaseSettings getSettings() {
    return settings;
  }

  @Override
  public CompletionStage<Boolean> acquire() {
    String owner = HOLDERS.merge(settings.leaseName(), settings.ownerName(), (old, mine) -> old);
    return CompletableFuture.completedFuture(owner.equals(settings.ownerName()));
  }

  @Override
  public CompletionStage<Boolean> acquire(Consumer<Optional<Throwable>> leaseLostCallback) {
    return acquire();
  }

  @Override
  public CompletionStage<Boolean> release() {
    return CompletableFuture.completedFuture(
        HOLDERS.remove(settings.leaseName(), settings.ownerName()));
  }

  @Override
  public boolean checkLease() {
    return settings.ownerName().equals(HOLDERS.get(settings.leaseName()));
  }
}
