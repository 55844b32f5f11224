package dev.regent.toolkit.serialization;

/**
 * Marks messages that travel between nodes as Jackson CBOR. reference.conf binds it to Pekko's
 * {@code jackson-cbor} serializer, so these messages never fall back to Java serialization (which
 * Pekko disables by default) and need no per-class configuration. Regent's own node-to-node
 * messages and {@code FencingToken} implement it; an application may use it for its singleton's
 * protocol too, as the examples do (the class name then is the manifest on the wire, as always
 * with Pekko's Jackson serializers).
 */
public interface RegentSerializable {}
