package io.softgate.evpn.bgp.message;

/**
 * A BGP message (RFC 4271 §4): OPEN, UPDATE, NOTIFICATION, KEEPALIVE or ROUTE-REFRESH.
 *
 * <p>Threading: implementations are immutable, safe to share.
 */
public interface BgpMessage {
    int TYPE_OPEN = 1;
    int TYPE_UPDATE = 2;
    int TYPE_NOTIFICATION = 3;
    int TYPE_KEEPALIVE = 4;
    int TYPE_ROUTE_REFRESH = 5;
    /** Marker(16) Length(2) Type(1). */
    int HEADER_LENGTH = 19;

    int type();
}
