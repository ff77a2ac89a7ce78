package io.softgate.evpn.bgp.evpn;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.nlri.InetAddresses;

/**
 * Type 5 body (RFC 9136 §3.1): RD(8) ESI(10) Ethernet Tag(4) IP Prefix Length(1) IP Prefix
 * (4/16) GW IP Address (4/16) MPLS Label(3). The address family follows from the NLRI
 * length alone: 34 octets IPv4, 58 octets IPv6.
 *
 * <p>Threading: stateless, safe from any thread.
 */
public final class IpPrefixRouteCodec implements EvpnRouteCodec<IpPrefixRoute> {
    private static final int IPV4_LENGTH = 34;
    private static final int IPV6_LENGTH = 58;

    @Override
    public int routeType() {
        return IpPrefixRoute.TYPE;
    }

    @Override
    public Class<IpPrefixRoute> routeClass() {
        return IpPrefixRoute.class;
    }

    @Override
    public IpPrefixRoute decode(ByteBuf in, int length) {
        int addressOctets;
        if (length == IPV4_LENGTH) {
            addressOctets = 4;
        } else if (length == IPV6_LENGTH) {
            addressOctets = 16;
        } else {
            return null;
        }
        RouteDistinguisher routeDistinguisher = RouteDistinguisher.decode(in);
        EthernetSegmentIdentifier esi = EthernetSegmentIdentifier.decode(in);
        long ethernetTag = in.readUnsignedInt();
        int prefixLength = in.readUnsignedByte();
        if (prefixLength > addressOctets * 8) {
            return null;
        }
        java.net.InetAddress prefix = InetAddresses.read(in, addressOctets);
        // The interface-less model's all-zero gateway is shared rather than allocated per route.
        java.net.InetAddress gateway = isZero(in, addressOctets) ? IpPrefixRoute.zeroGateway(addressOctets == 4)
                : InetAddresses.read(in, addressOctets);
        if (gateway == IpPrefixRoute.zeroGateway(addressOctets == 4)) {
            in.skipBytes(addressOctets);
        }
        int label = EvpnRouteCodec.readLabel(in);
        return new IpPrefixRoute(routeDistinguisher, esi, ethernetTag, prefix, prefixLength, gateway, label);
    }

    @Override
    public int bodyLength(IpPrefixRoute route) {
        return route.isIpv4() ? IPV4_LENGTH : IPV6_LENGTH;
    }

    @Override
    public void encode(IpPrefixRoute route, ByteBuf out) {
        route.routeDistinguisher().encode(out);
        route.ethernetSegmentIdentifier().encode(out);
        out.writeInt((int) route.ethernetTagId());
        out.writeByte(route.prefixLength());
        out.writeBytes(route.prefix().getAddress());
        out.writeBytes(route.gatewayAddress().getAddress());
        EvpnRouteCodec.writeLabel(out, route.label());
    }

    private static boolean isZero(ByteBuf in, int octets) {
        int start = in.readerIndex();
        for (int i = 0; i < octets; i++) {
            if (in.getByte(start + i) != 0) {
                return false;
            }
        }
        return true;
    }
}
