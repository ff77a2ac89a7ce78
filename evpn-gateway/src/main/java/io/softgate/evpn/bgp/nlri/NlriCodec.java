package io.softgate.evpn.bgp.nlri;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.UpdateErrorCounters;
import java.util.List;

/**
 * Encodes and decodes the NLRI of one address family as carried in MP_REACH_NLRI and
 * MP_UNREACH_NLRI (RFC 4760 §§3-4).
 *
 * <p>Threading: implementations are stateless, safe from any thread.
 */
public interface NlriCodec {
    AddressFamily addressFamily();

    /**
     * Decodes the {@code length} octets at the reader index into {@code out}. Returns false
     * when the field is syntactically incorrect (RFC 7606 §5.3); the reader index is then
     * undefined. Skipped unrecognised NLRI types are counted in {@code counters}.
     */
    boolean decode(ByteBuf in, int length, List<Nlri> out, UpdateErrorCounters counters);

    /** Octets {@link #encode} writes for this NLRI. */
    int encodedLength(Nlri nlri);

    void encode(Nlri nlri, ByteBuf out);
}
