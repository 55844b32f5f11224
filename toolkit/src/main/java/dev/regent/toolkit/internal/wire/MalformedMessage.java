package dev.regent.toolkit.internal.wire;

import java.util.Objects;

/**
 * What {@link RegentWireSerializer} delivers in place of an
 * election wire message ({@link PeerEnvelope}, {@link ElectionEnvelope}, {@link NodeHello}) whose
 * bytes did not deserialize: missing or unknown fields, wrong types, out-of-range numbers, truncated
 * or random bytes. The election actor drops it, counts it and logs a rate-limited warning; it never
 * reaches the election core. Created on the receiving node only, never sent.
 *
 * @param manifest the manifest the bytes arrived with (the class they claimed to be)
 * @param reason why they were refused (the deserializer's error, shortened)
 */
public record MalformedMessage(String manifest, String reason) implements ElectionProtocol {

  public MalformedMessage {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(reason, "reason");
  }
}
