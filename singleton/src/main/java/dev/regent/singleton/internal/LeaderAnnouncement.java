package dev.regent.singleton.internal;

import dev.regent.toolkit.serialization.RegentSerializable;

/**
 * Internal API: sent by the manager running an instance to the proxies of the other members,
 * when the instance starts and then every {@code announce-interval}. Lets proxies on nodes that
 * get no election heartbeats (non-voters) find the instance. Travels as Jackson CBOR.
 *
 * @param singleton the singleton's name
 * @param address the address of the node running the instance (its manager), as a string
 * @param term the instance's term (its fencing token)
 */
public record LeaderAnnouncement(String singleton, String address, long term)
    implements RegentSerializable, SingletonProxy.Command {}
