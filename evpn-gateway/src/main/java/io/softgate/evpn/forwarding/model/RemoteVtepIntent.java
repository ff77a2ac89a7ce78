package io.softgate.evpn.forwarding.model;

import java.util.Objects;

/**
 * Per-VTEP underlay overrides: the port and outer destination MAC used toward {@code address}.
 * A VTEP that routes name without an entry here uses the node's defaults.
 *
 * <p>Threading: immutable value.
 */
public record RemoteVtepIntent(Ipv4Address address, int egressPort, MacAddress underlayNextHopMac) {
    public RemoteVtepIntent {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(underlayNextHopMac, "underlayNextHopMac");
    }
}
