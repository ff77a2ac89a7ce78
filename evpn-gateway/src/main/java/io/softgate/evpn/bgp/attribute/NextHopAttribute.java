package io.softgate.evpn.bgp.attribute;

import io.softgate.evpn.bgp.nlri.InetAddresses;

/**
 * NEXT_HOP, type 3, well-known (RFC 4271 §5.1.3): the IPv4 next hop of the UPDATE's own NLRI.
 *
 * <p>Threading: immutable, safe to share.
 */
public record NextHopAttribute(long address) implements PathAttribute {
    public static final int TYPE = 3;
    public static final PathAttributeCodec<NextHopAttribute> CODEC = new FourOctetAttributeCodec<>(
            TYPE, NextHopAttribute.class, FLAG_TRANSITIVE, false, NextHopAttribute::new, NextHopAttribute::address);

    @Override
    public int typeCode() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "NEXT_HOP " + InetAddresses.ipv4((int) address).getHostAddress();
    }
}
