package io.softgate.evpn.bgp.evpn;

import io.softgate.evpn.bgp.nlri.Nlri;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Route type 5, IP Prefix (RFC 9136 §3.1): NLRI length 34 for IPv4, 58 for IPv6. In the
 * interface-less model (RFC 9136 §4.4.1) the gateway IP is zero and {@code label} is the L3VNI.
 *
 * <p>Threading: immutable, safe to share.
 */
public record IpPrefixRoute(
        RouteDistinguisher routeDistinguisher, EthernetSegmentIdentifier ethernetSegmentIdentifier,
        long ethernetTagId, InetAddress prefix, int prefixLength, InetAddress gatewayAddress, int label)
        implements EvpnRoute {
    public static final int TYPE = 5;

    public IpPrefixRoute {
        if (prefix.getAddress().length != gatewayAddress.getAddress().length) {
            throw new IllegalArgumentException("prefix and gateway IP families differ");
        }
        if (prefixLength < 0 || prefixLength > prefix.getAddress().length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength);
        }
    }

    @Override
    public int routeType() {
        return TYPE;
    }

    public boolean isIpv4() {
        return prefix instanceof Inet4Address;
    }

    @Override
    public Nlri routeKey() {
        // RFC 9136 §3.1: RD, Ethernet Tag, IP prefix length and IP prefix form the key.
        return new IpPrefixRoute(routeDistinguisher, EthernetSegmentIdentifier.ZERO, ethernetTagId, prefix,
                prefixLength, gatewayAddress.getAddress().length == 4 ? ZERO_IPV4 : ZERO_IPV6, 0);
    }

    @Override
    public String toString() {
        return "[5][" + routeDistinguisher + "][" + ethernetTagId + "][" + prefix.getHostAddress() + "/" + prefixLength
                + "] vni " + label;
    }

    static final InetAddress ZERO_IPV4 = io.softgate.evpn.bgp.nlri.InetAddresses.fromBytes(new byte[4]);
    static final InetAddress ZERO_IPV6 = io.softgate.evpn.bgp.nlri.InetAddresses.fromBytes(new byte[16]);

    public static InetAddress zeroGateway(boolean ipv4) {
        return ipv4 ? ZERO_IPV4 : ZERO_IPV6;
    }
}
