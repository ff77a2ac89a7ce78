package io.softgate.evpn.bgp.evpn;

import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.nlri.Nlri;
import java.net.InetAddress;

/**
 * Route type 2, MAC/IP Advertisement (RFC 7432 §7.2). {@code ipAddress} is null for a
 * MAC-only route (NLRI length 33). With symmetric IRB (RFC 9135 §5.1) {@code label1} is the
 * L2VNI and {@code label2} the L3VNI; {@code label2} is {@link #NO_LABEL} when absent.
 *
 * <p>Threading: immutable, safe to share.
 */
public record MacIpAdvertisementRoute(
        RouteDistinguisher routeDistinguisher, EthernetSegmentIdentifier ethernetSegmentIdentifier,
        long ethernetTagId, long macAddress, InetAddress ipAddress, int label1, int label2) implements EvpnRoute {
    public static final int TYPE = 2;

    @Override
    public int routeType() {
        return TYPE;
    }

    public boolean hasSecondLabel() {
        return label2 != NO_LABEL;
    }

    @Override
    public Nlri routeKey() {
        // RFC 7432 §7.2: the key is RD, Ethernet Tag, MAC and IP; ESI and labels are not.
        return new MacIpAdvertisementRoute(routeDistinguisher, EthernetSegmentIdentifier.ZERO, ethernetTagId,
                macAddress, ipAddress, 0, NO_LABEL);
    }

    @Override
    public String toString() {
        return "[2][" + routeDistinguisher + "][" + ethernetTagId + "][" + InetAddresses.formatMac(macAddress) + "]["
                + (ipAddress == null ? "" : ipAddress.getHostAddress()) + "] vni " + label1
                + (hasSecondLabel() ? "/" + label2 : "");
    }
}
