package io.softgate.evpn.bgp.message;

import io.softgate.evpn.bgp.nlri.AddressFamily;

/**
 * ROUTE-REFRESH (RFC 2918 §3): AFI(2) Reserved(1) SAFI(1); asks the peer to resend its
 * Adj-RIB-Out for that family.
 *
 * <p>Threading: immutable, safe to share.
 */
public record RouteRefreshMessage(AddressFamily addressFamily) implements BgpMessage {
    @Override
    public int type() {
        return TYPE_ROUTE_REFRESH;
    }
}
