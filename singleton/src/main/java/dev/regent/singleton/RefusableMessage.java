package dev.regent.singleton;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * A message whose sender wants to hear when a proxy with {@link OverflowPolicy#REFUSE} refuses it
 * (its buffer full): the proxy tells {@link #refusedTo()} a {@link SingletonRefused}.
 */
public interface RefusableMessage {

  /** Who is told of a refusal. */
  ActorRef<SingletonRefused> refusedTo();
}
