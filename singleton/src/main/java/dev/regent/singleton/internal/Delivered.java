package dev.regent.singleton.internal;

/**
 * Internal API: an incarnation's confirmation to a proxy (at-least-once): its behavior has
 * processed the proxy's message {@code seq}. Sent by the instance's {@link SuspensionInterceptor}
 * after the behavior returned. Written by {@link SingletonEnvelopeSerializer}.
 */
public record Delivered(long seq) implements SingletonProxy.Command {}
