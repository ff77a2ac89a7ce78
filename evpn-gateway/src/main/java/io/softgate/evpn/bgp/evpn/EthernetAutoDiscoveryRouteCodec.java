package io.softgate.evpn.bgp.evpn;

import io.netty.buffer.ByteBuf;

/**
 * Type 1 body: RD(8) ESI(10) Ethernet Tag(4) MPLS Label(3), 25 octets (RFC 7432 §7.1).
 *
 * <p>Threading: stateless, safe from any thread.
 */
public final class EthernetAutoDiscoveryRouteCodec implements EvpnRouteCodec<EthernetAutoDiscoveryRoute> {
    private static final int BODY_LENGTH = 25;

    @Override
    public int routeType() {
        return EthernetAutoDiscoveryRoute.TYPE;
    }

    @Override
    public Class<EthernetAutoDiscoveryRoute> routeClass() {
        return EthernetAutoDiscoveryRoute.class;
    }

    @Override
    public EthernetAutoDiscoveryRoute decode(ByteBuf in, int length) {
        if (length != BODY_LENGTH) {
            return null;
        }
        return new EthernetAutoDiscoveryRoute(RouteDistinguisher.decode(in), EthernetSegmentIdentifier.decode(in),
                in.readUnsignedInt(), EvpnRouteCodec.readLabel(in));
    }

    @Override
    public int bodyLength(EthernetAutoDiscoveryRoute route) {
        return BODY_LENGTH;
    }

    @Override
    public void encode(EthernetAutoDiscoveryRoute route, ByteBuf out) {
        route.routeDistinguisher().encode(out);
        route.ethernetSegmentIdentifier().encode(out);
        out.writeInt((int) route.ethernetTagId());
        EvpnRouteCodec.writeLabel(out, route.label());
    }
}
