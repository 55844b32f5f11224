package dev.regent.toolkit.internal.serialization;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.internal.election.VoterConfig;
import dev.regent.toolkit.serialization.RegentSerializable;

/**
 * Teaches Pekko's Jackson serializers Regent's wire types without putting Jackson annotations on
 * the election core (which stays free of library types): the annotations live on mix-ins here.
 *
 * <p>Registered through {@code pekko.serialization.jackson.jackson-modules} in reference.conf;
 * Pekko instantiates it by reflection with the public no-argument constructor, so this works for
 * every actor system without an {@code ActorSystemSetup}.
 *
 * <p>{@link ElectionMessage} is written with a {@code type} property holding the simple name of the
 * message record (e.g. {@code "VoteRequest"}). Every permitted subtype of the sealed interface is
 * registered at construction, so a new message type is covered without touching this class; renaming
 * a message record changes the wire format, so rename only with a mixed-version plan.
 *
 * <p>A payload that is a bare null is refused for every {@link RegentSerializable} type (see
 * {@link NonNullRootDeserializer}), so a bad payload always fails rather than yield {@code null}.
 */
public final class RegentJacksonModule extends SimpleModule {

  private static final long serialVersionUID = 1L;

  public RegentJacksonModule() {
    super("RegentJacksonModule", Version.unknownVersion());
    setMixInAnnotation(ElectionMessage.class, ElectionMessageMixin.class);
    setMixInAnnotation(VoterConfig.class, VoterConfigMixin.class);
    for (Class<?> type : ElectionMessage.class.getPermittedSubclasses()) {
      registerSubtypes(new NamedType(type, type.getSimpleName()));
    }
    setDeserializerModifier(new BeanDeserializerModifier() {
      private static final long serialVersionUID = 1L;

      @Override
      public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config,
          BeanDescription description, JsonDeserializer<?> deserializer) {
        return RegentSerializable.class.isAssignableFrom(description.getBeanClass())
            ? new NonNullRootDeserializer(deserializer)
            : deserializer;
      }
    });
  }

  /**
   * Polymorphism by logical name only: never by class name, which would let a peer make this node
   * instantiate arbitrary classes.
   */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
  abstract static class ElectionMessageMixin {}

  /** {@code isEmpty()} is derived from the voters; it is not part of the wire format. */
  abstract static class VoterConfigMixin {
    @JsonIgnore
    abstract boolean isEmpty();
  }
}
