package dev.regent.toolkit.internal.status;

import dev.regent.toolkit.internal.election.VoterConfig;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.metrics.RegentMetrics;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What the status endpoint reads about this node: implemented by the election runtime, which
 * starts the endpoint, so the endpoint does not depend on the runtime.
 */
public interface StatusSource {

  ActorSystem<?> system();

  /** This node's voter name. */
  String selfName();

  /** This node's canonical cluster address. */
  Address selfAddress();

  /** The latest leadership snapshot. */
  Leadership current();

  RegentMetrics metrics();

  /** The voter configuration this node uses. */
  VoterConfig voterConfig();
}
