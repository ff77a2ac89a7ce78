package io.softgate.evpn.bgp.evpn;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.nlri.InetAddresses;

/**
 * Type 2 body (RFC 7432 §7.2): RD(8) ESI(10) Ethernet Tag(4) MAC Address Length(1, = 48)
 * MAC(6) IP Address Length(1: 0, 32 or 128 bits) IP(0/4/16) Label1(3) [Label2(3)]. So 33
 * octets MAC-only with one label, 37/40 with IPv4, 49/52 with IPv6.
 *
 * <p>Threading: stateless, safe from any thread.
 */
public final class MacIpAdvertisementRouteCodec implements EvpnRouteCodec<MacIpAdvertisementRoute> {
    private static final int FIXED_LENGTH = 8 + 10 + 4 + 1 + 6 + 1 + 3;

    @Override
    public int routeType() {
        return MacIpAdvertisementRoute.TYPE;
    }

    @Override
    public Class<MacIpAdvertisementRoute> routeClass() {
        return MacIpAdvertisementRoute.class;
    }

    @Override
    public MacIpAdvertisementRoute decode(ByteBuf in, int length) {
        if (length < FIXED_LENGTH) {
            return null;
        }
        int start = in.readerIndex();
        in.skipBytes(8 + 10 + 4);
        int macLengthBits = in.readUnsignedByte();
        in.skipBytes(6);
        int ipLengthBits = in.readUnsignedByte();
        in.readerIndex(start);
        int ipOctets = ipLengthBits / 8;
        if (macLengthBits != 48 || (ipLengthBits != 0 && ipLengthBits != 32 && ipLengthBits != 128)) {
            return null;
        }
        int labelsLength = length - FIXED_LENGTH + 3 - ipOctets;
        if (labelsLength != 3 && labelsLength != 6) {
            return null;
        }
        RouteDistinguisher routeDistinguisher = RouteDistinguisher.decode(in);
        EthernetSegmentIdentifier esi = EthernetSegmentIdentifier.decode(in);
        long ethernetTag = in.readUnsignedInt();
        in.skipBytes(1);
        long mac = InetAddresses.readMac(in);
        in.skipBytes(1);
        java.net.InetAddress ip = ipOctets == 0 ? null : InetAddresses.read(in, ipOctets);
        int label1 = EvpnRouteCodec.readLabel(in);
        int label2 = labelsLength == 6 ? EvpnRouteCodec.readLabel(in) : EvpnRoute.NO_LABEL;
        return new MacIpAdvertisementRoute(routeDistinguisher, esi, ethernetTag, mac, ip, label1, label2);
    }

    @Override
    public int bodyLength(MacIpAdvertisementRoute route) {
        return FIXED_LENGTH + (route.ipAddress() == null ? 0 : route.ipAddress().getAddress().length)
                + (route.hasSecondLabel() ? 3 : 0);
    }

    @Override
    public void encode(MacIpAdvertisementRoute route, ByteBuf out) {
        route.routeDistinguisher().encode(out);
        route.ethernetSegmentIdentifier().encode(out);
        out.writeInt((int) route.ethernetTagId());
        out.writeByte(48);
        InetAddresses.writeMac(out, route.macAddress());
        if (route.ipAddress() == null) {
            out.writeByte(0);
        } else {
            byte[] ip = route.ipAddress().getAddress();
            out.writeByte(ip.length * 8);
            out.writeBytes(ip);
        }
        EvpnRouteCodec.writeLabel(out, route.label1());
        if (route.hasSecondLabel()) {
            EvpnRouteCodec.writeLabel(out, route.label2());
        }
    }
}
