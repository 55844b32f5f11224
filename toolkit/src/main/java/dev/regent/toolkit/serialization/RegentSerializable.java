package dev.regent.toolkit.serialization;

/**
 * Marks Regent's messages that travel between nodes. reference.conf binds it to Pekko's
 * {@code jackson-cbor} serializer, so these messages never fall back to Java serialization (which
 * Pekko disables by default) and need no per-class configuration.
 */
public interface RegentSerializable {}
