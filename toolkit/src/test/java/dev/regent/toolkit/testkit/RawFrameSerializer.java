package dev.regent.toolkit.testkit;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Writes a {@link RawFrame}'s bytes and manifest as they are, under the identifier of the
 * serializer binding it is configured as (e.g. {@code regent-election-cbor}, 6173), so the
 * receiving node hands the junk to its real deserializer. Configured on the fuzzing system only;
 * it never reads.
 */
public final class RawFrameSerializer extends SerializerWithStringManifest {
  private final int identifier;

  public RawFrameSerializer(ExtendedActorSystem system, String bindingName) {
    identifier = system.settings().config()
        .getInt("pekko.actor.serialization-identifiers." + bindingName);
  }

  @Override
  public int identifier() {
    return identifier;
  }

  @Override
  public String manifest(Object o) {
    return ((RawFrame) o).manifest();
  }

  @Override
  public byte[] toBinary(Object o) {
    return ((RawFrame) o).bytes();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    throw new UnsupportedOperationException("the fuzzer only sends");
  }
}
