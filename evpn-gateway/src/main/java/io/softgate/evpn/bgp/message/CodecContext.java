package io.softgate.evpn.bgp.message;

import io.softgate.evpn.bgp.community.ExtendedCommunityCodecs;
import io.softgate.evpn.bgp.nlri.NlriCodecs;

/**
 * What decoding and encoding depend on for one session: whether 4-octet AS numbers were
 * negotiated (RFC 6793), whether the peer is external (RFC 7606 §§7.5, 7.9, 7.10), the largest
 * message size (4096, or 65535 with RFC 8654), the registries, and the error counters.
 *
 * <p>Threading: immutable; the counters it holds are thread-safe.
 */
public record CodecContext(boolean fourOctetAs, boolean externalPeer, int maxMessageLength,
                           NlriCodecs nlriCodecs, ExtendedCommunityCodecs extendedCommunityCodecs,
                           UpdateErrorCounters counters) {
    public static final int STANDARD_MAX_MESSAGE_LENGTH = 4096;
    public static final int EXTENDED_MAX_MESSAGE_LENGTH = 65535;

    /** A context for an internal peer with 4-octet AS and standard message size. */
    public static CodecContext standard() {
        return new CodecContext(true, false, STANDARD_MAX_MESSAGE_LENGTH, NlriCodecs.standard(),
                ExtendedCommunityCodecs.standard(), new UpdateErrorCounters());
    }

    public CodecContext withFourOctetAs(boolean value) {
        return new CodecContext(value, externalPeer, maxMessageLength, nlriCodecs, extendedCommunityCodecs, counters);
    }

    public CodecContext withExternalPeer(boolean value) {
        return new CodecContext(fourOctetAs, value, maxMessageLength, nlriCodecs, extendedCommunityCodecs, counters);
    }

    public CodecContext withMaxMessageLength(int value) {
        return new CodecContext(fourOctetAs, externalPeer, value, nlriCodecs, extendedCommunityCodecs, counters);
    }

    public CodecContext withCounters(UpdateErrorCounters value) {
        return new CodecContext(fourOctetAs, externalPeer, maxMessageLength, nlriCodecs, extendedCommunityCodecs, value);
    }
}
