package dev.regent.toolkit.testkit;

/**
 * Bytes and a manifest that a fuzzing actor system sends as they are, through
 * {@link RawFrameSerializer}: junk that reaches a real node's deserializer.
 */
public record RawFrame(String manifest, byte[] bytes) {}
