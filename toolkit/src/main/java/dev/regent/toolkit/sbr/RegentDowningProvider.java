package dev.regent.toolkit.sbr;

import com.typesafe.config.Config;
import dev.regent.toolkit.internal.sbr.SplitBrainResolverActor;
import dev.regent.toolkit.internal.sbr.SplitBrainSettings;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.DowningProvider;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Pekko downing provider for Regent's split-brain resolver. Enable with {@code
 * pekko.cluster.downing-provider-class = "dev.regent.toolkit.sbr.RegentDowningProvider"} and
 * configure under {@code regent.split-brain-resolver}. The configuration is validated when the
 * cluster extension starts; an invalid one throws {@link org.apache.pekko.ConfigurationException}.
 */
public final class RegentDowningProvider extends DowningProvider {

  private final SplitBrainSettings settings;
  private final FiniteDuration downRemovalMargin;

  public RegentDowningProvider(ActorSystem system) {
    Config config = system.settings().config();
    this.settings = SplitBrainSettings.fromConfig(config);
    // As Pekko: an explicit pekko.cluster.down-removal-margin wins, else stable-after.
    long marginMs = settings.stableAfter().toMillis();
    String key = "pekko.cluster.down-removal-margin";
    if (config.hasPath(key) && !"off".equalsIgnoreCase(config.getString(key).trim())) {
      marginMs = config.getDuration(key).toMillis();
    }
    this.downRemovalMargin = FiniteDuration.create(marginMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public FiniteDuration downRemovalMargin() {
    return downRemovalMargin;
  }

  @Override
  public Option<Props> downingActorProps() {
    return Option.apply(SplitBrainResolverActor.props(settings));
  }
}
