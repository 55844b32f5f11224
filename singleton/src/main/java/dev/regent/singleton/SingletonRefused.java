package dev.regent.singleton;

/**
 * A proxy refused {@code message} (its buffer was full and the overflow policy is
 * {@link OverflowPolicy#REFUSE}): it was not sent and will not be.
 *
 * @param singleton the singleton's name
 * @param message the refused message
 * @param reason why, for logs
 */
public record SingletonRefused(String singleton, Object message, String reason) {}
