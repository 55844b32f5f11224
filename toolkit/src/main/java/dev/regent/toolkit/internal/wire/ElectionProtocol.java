package dev.regent.toolkit.internal.wire;

/**
 * Everything an election actor accepts: the messages of this package, which other nodes send it
 * (and {@link MalformedMessage}, which the serializer delivers in place of bytes it could not
 * read), and, through {@link Local}, the commands of its own node.
 *
 * <p>Why the wire types are part of the actor's protocol rather than adapted: a peer resolves the
 * actor's own reference ({@code /system/regent-election}) and Pekko hands each message it sends to
 * the actor as it came off the network. Message adapters only exist for references a node hands
 * out itself, so a message from a remote peer must already be of the actor's message type.
 */
public sealed interface ElectionProtocol
    permits PeerEnvelope, ElectionEnvelope, NodeHello, MalformedMessage, ElectionProtocol.Local {

  /** The commands an election actor takes from its own node; declared (and sealed) with it. */
  non-sealed interface Local extends ElectionProtocol {}
}
