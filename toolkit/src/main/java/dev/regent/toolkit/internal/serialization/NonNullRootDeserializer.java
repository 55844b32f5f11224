package dev.regent.toolkit.internal.serialization;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;

/**
 * Refuses a bare {@code null} where a Regent message is expected.
 *
 * <p>Why: Jackson answers a payload that is just a null token (in CBOR the single byte
 * {@code 0xf6}, which any corrupted or hostile frame can start with) with a {@code null} result
 * rather than an error, and Pekko's serializer hands that on. Remoting would then try to deliver a
 * null message, which Pekko rejects at {@code tell}. Failing here instead makes every bad payload a
 * deserialization failure, which remoting logs and drops.
 */
final class NonNullRootDeserializer extends DelegatingDeserializer {

  private static final long serialVersionUID = 1L;

  NonNullRootDeserializer(JsonDeserializer<?> delegate) {
    super(delegate);
  }

  @Override
  protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
    return new NonNullRootDeserializer(newDelegatee);
  }

  @Override
  public Object getNullValue(DeserializationContext ctxt) throws JsonMappingException {
    return ctxt.reportInputMismatch(this, "null is not a valid %s",
        handledType() == null ? "Regent message" : handledType().getName());
  }
}
