package io.softgate.evpn.bgp.attribute;

import io.softgate.evpn.bgp.nlri.InetAddresses;

/**
 * ORIGINATOR_ID, type 9, optional non-transitive (RFC 4456 §8): the router id of the route's
 * originator inside the AS, set by a route reflector.
 *
 * <p>Threading: immutable, safe to share.
 */
public record OriginatorIdAttribute(long routerId) implements PathAttribute {
    public static final int TYPE = 9;
    public static final PathAttributeCodec<OriginatorIdAttribute> CODEC = new FourOctetAttributeCodec<>(
            TYPE, OriginatorIdAttribute.class, FLAG_OPTIONAL, true, OriginatorIdAttribute::new,
            OriginatorIdAttribute::routerId);

    @Override
    public int typeCode() {
        return TYPE;
    }

    @Override
    public String toString() {
        return "ORIGINATOR_ID " + InetAddresses.ipv4((int) routerId).getHostAddress();
    }
}
