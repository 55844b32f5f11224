package dev.regent.singleton.internal;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * Internal API: a manager tells a proxy that asked ({@link SingletonEnvelope#locate()}) where
 * the incarnation of {@code term} runs, so the proxy can send straight to it. Written by
 * {@link SingletonEnvelopeSerializer}.
 */
public record Located(String singleton, long term, ActorRef<Object> instance)
    implements SingletonProxy.Command {}
