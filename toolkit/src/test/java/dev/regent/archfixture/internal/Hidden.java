package dev.regent.archfixture.internal;

/** An internal type that {@code dev.regent.archfixture.leak.Leaky} exposes on purpose. */
public final class Hidden {}
