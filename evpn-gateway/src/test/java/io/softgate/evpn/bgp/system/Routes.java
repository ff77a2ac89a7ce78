package io.softgate.evpn.bgp.system;

import io.softgate.evpn.bgp.IpPrefixRouteUpdate;
import io.softgate.evpn.bgp.session.RecordingListener;

/** Lookups over recorded listener updates. */
public final class Routes {
    private Routes() {
    }

    /** The last update for this prefix address, or null. */
    public static IpPrefixRouteUpdate last(RecordingListener listener, String prefix) {
        return FrrLeafSystemTest.lastFor(listener, prefix);
    }
}
