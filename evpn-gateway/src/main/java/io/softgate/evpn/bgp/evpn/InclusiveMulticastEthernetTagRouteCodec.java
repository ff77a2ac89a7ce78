package io.softgate.evpn.bgp.evpn;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.nlri.InetAddresses;

/**
 * Type 3 body (RFC 7432 §7.3): RD(8) Ethernet Tag(4) IP Address Length(1) Originating
 * Router's IP (4 or 16): 17 or 29 octets.
 *
 * <p>Threading: stateless, safe from any thread.
 */
public final class InclusiveMulticastEthernetTagRouteCodec
        implements EvpnRouteCodec<InclusiveMulticastEthernetTagRoute> {
    @Override
    public int routeType() {
        return InclusiveMulticastEthernetTagRoute.TYPE;
    }

    @Override
    public Class<InclusiveMulticastEthernetTagRoute> routeClass() {
        return InclusiveMulticastEthernetTagRoute.class;
    }

    @Override
    public InclusiveMulticastEthernetTagRoute decode(ByteBuf in, int length) {
        if (length != 17 && length != 29) {
            return null;
        }
        RouteDistinguisher routeDistinguisher = RouteDistinguisher.decode(in);
        long ethernetTag = in.readUnsignedInt();
        int ipLengthBits = in.readUnsignedByte();
        if (ipLengthBits / 8 != length - 13 || ipLengthBits % 8 != 0) {
            return null;
        }
        return new InclusiveMulticastEthernetTagRoute(routeDistinguisher, ethernetTag,
                InetAddresses.read(in, ipLengthBits / 8));
    }

    @Override
    public int bodyLength(InclusiveMulticastEthernetTagRoute route) {
        return 13 + route.originatingRouterAddress().getAddress().length;
    }

    @Override
    public void encode(InclusiveMulticastEthernetTagRoute route, ByteBuf out) {
        route.routeDistinguisher().encode(out);
        out.writeInt((int) route.ethernetTagId());
        byte[] ip = route.originatingRouterAddress().getAddress();
        out.writeByte(ip.length * 8);
        out.writeBytes(ip);
    }
}
