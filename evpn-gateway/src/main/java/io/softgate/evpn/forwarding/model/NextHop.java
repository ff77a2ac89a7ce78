package io.softgate.evpn.forwarding.model;

import java.util.Objects;

/**
 * Where a route sends matching packets: to a remote VTEP (symmetric IRB: encapsulate with the
 * VRF's L3VNI toward {@code vtep}, inner destination MAC = that VTEP's router MAC), out of an IP
 * port as a plain IP packet (e.g. a TUN uplink), to the softgate itself, or nowhere (a silent
 * discard).
 *
 * <p>Threading: implementations are immutable values.
 */
public sealed interface NextHop permits NextHop.RemoteVtep, NextHop.IpPort, NextHop.Local,
    NextHop.Blackhole {

    /** RFC 9135 §4.1 (symmetric IRB): the remote VTEP address and the router MAC it advertised. */
    record RemoteVtep(Ipv4Address vtep, MacAddress routerMac) implements NextHop {
        public RemoteVtep {
            Objects.requireNonNull(vtep, "vtep");
            Objects.requireNonNull(routerMac, "routerMac");
        }
    }

    /**
     * Out of packet I/O port {@code port} as the bare IP packet, no outer header: the port is an
     * IP port (a TUN device), whose link needs no addresses from us.
     */
    record IpPort(int port) implements NextHop {
        public IpPort {
            if (port < 0) {
                throw new IllegalArgumentException("port must be >= 0: " + port);
            }
        }
    }

    /** Addressed to the softgate itself (e.g. a VRF gateway address); the data plane counts and drops it. */
    record Local() implements NextHop {
    }

    /** Discard silently (counted), no ICMP error. */
    record Blackhole() implements NextHop {
    }

    static NextHop remoteVtep(String vtep, String routerMac) {
        return new RemoteVtep(Ipv4Address.parse(vtep), MacAddress.parse(routerMac));
    }

    static NextHop ipPort(int port) {
        return new IpPort(port);
    }

    static NextHop local() {
        return new Local();
    }

    static NextHop blackhole() {
        return new Blackhole();
    }
}
