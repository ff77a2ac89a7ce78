package io.softgate.evpn.bgp.capability;

/**
 * Route Refresh, code 2, empty (RFC 2918 §3).
 *
 * <p>Threading: immutable, safe to share.
 */
public record RouteRefreshCapability() implements Capability {
    public static final int CODE = 2;
    public static final RouteRefreshCapability INSTANCE = new RouteRefreshCapability();

    @Override
    public int code() {
        return CODE;
    }
}
