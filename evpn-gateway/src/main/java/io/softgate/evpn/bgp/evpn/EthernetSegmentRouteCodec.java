package io.softgate.evpn.bgp.evpn;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.nlri.InetAddresses;

/**
 * Type 4 body (RFC 7432 §7.4): RD(8) ESI(10) IP Address Length(1) Originating Router's IP
 * (4 or 16): 23 or 35 octets.
 *
 * <p>Threading: stateless, safe from any thread.
 */
public final class EthernetSegmentRouteCodec implements EvpnRouteCodec<EthernetSegmentRoute> {
    @Override
    public int routeType() {
        return EthernetSegmentRoute.TYPE;
    }

    @Override
    public Class<EthernetSegmentRoute> routeClass() {
        return EthernetSegmentRoute.class;
    }

    @Override
    public EthernetSegmentRoute decode(ByteBuf in, int length) {
        if (length != 23 && length != 35) {
            return null;
        }
        RouteDistinguisher routeDistinguisher = RouteDistinguisher.decode(in);
        EthernetSegmentIdentifier esi = EthernetSegmentIdentifier.decode(in);
        int ipLengthBits = in.readUnsignedByte();
        if (ipLengthBits % 8 != 0 || ipLengthBits / 8 != length - 19) {
            return null;
        }
        return new EthernetSegmentRoute(routeDistinguisher, esi, InetAddresses.read(in, ipLengthBits / 8));
    }

    @Override
    public int bodyLength(EthernetSegmentRoute route) {
        return 19 + route.originatingRouterAddress().getAddress().length;
    }

    @Override
    public void encode(EthernetSegmentRoute route, ByteBuf out) {
        route.routeDistinguisher().encode(out);
        route.ethernetSegmentIdentifier().encode(out);
        byte[] ip = route.originatingRouterAddress().getAddress();
        out.writeByte(ip.length * 8);
        out.writeBytes(ip);
    }
}
