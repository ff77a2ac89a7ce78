package io.softgate.evpn.bgp.nlri;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.UpdateErrorCounters;
import java.util.List;

/**
 * IPv4 unicast prefixes (RFC 4271 §4.3), used in the UPDATE's own NLRI and Withdrawn
 * Routes fields and inside MP_REACH_NLRI/MP_UNREACH_NLRI for AFI 1 SAFI 1.
 *
 * <p>Threading: stateless, safe from any thread.
 */
public final class Ipv4UnicastNlriCodec implements NlriCodec {
    @Override
    public AddressFamily addressFamily() {
        return AddressFamily.IPV4_UNICAST;
    }

    @Override
    public boolean decode(ByteBuf in, int length, List<Nlri> out, UpdateErrorCounters counters) {
        int limit = in.readerIndex() + length;
        while (in.readerIndex() < limit) {
            Ipv4Prefix prefix = Ipv4Prefix.decode(in, limit);
            if (prefix == null) {
                return false;
            }
            out.add(prefix);
        }
        return true;
    }

    @Override
    public int encodedLength(Nlri nlri) {
        return ((Ipv4Prefix) nlri).encodedLength();
    }

    @Override
    public void encode(Nlri nlri, ByteBuf out) {
        ((Ipv4Prefix) nlri).encode(out);
    }
}
