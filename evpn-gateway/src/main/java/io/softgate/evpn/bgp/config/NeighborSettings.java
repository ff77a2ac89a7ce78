package io.softgate.evpn.bgp.config;

import io.softgate.evpn.bgp.nlri.AddressFamily;
import java.net.InetAddress;
import java.util.Set;

/**
 * One configured BGP neighbour.
 *
 * @param address the neighbour's address (a leaf knows its peers by link address)
 * @param port its TCP port (179; tests use others)
 * @param remoteAsn its AS: equal to ours for iBGP
 * @param localAddress the address we connect from and expect it to reach, or null for any
 * @param passive true to only accept its connections, never connect
 * @param addressFamilies the families to negotiate
 * @param holdTimeSeconds our proposed hold time (0 disables keepalives, else 3 or more)
 *
 * <p>Threading: immutable, safe to share.
 */
public record NeighborSettings(InetAddress address, int port, long remoteAsn, InetAddress localAddress, boolean passive,
                               Set<AddressFamily> addressFamilies, int holdTimeSeconds) {
    public static final int BGP_PORT = 179;
    public static final int DEFAULT_HOLD_TIME_SECONDS = 90;

    public NeighborSettings {
        addressFamilies = Set.copyOf(addressFamilies);
        if (holdTimeSeconds == 1 || holdTimeSeconds == 2 || holdTimeSeconds < 0 || holdTimeSeconds > 65535) {
            throw new IllegalArgumentException("hold time must be 0 or 3..65535 s: " + holdTimeSeconds);
        }
    }

    /** An active EVPN neighbour on port 179 with the default hold time. */
    public static NeighborSettings evpn(InetAddress address, long remoteAsn) {
        return new NeighborSettings(address, BGP_PORT, remoteAsn, null, false, Set.of(AddressFamily.L2VPN_EVPN),
                DEFAULT_HOLD_TIME_SECONDS);
    }

    public NeighborSettings withPort(int value) {
        return new NeighborSettings(address, value, remoteAsn, localAddress, passive, addressFamilies, holdTimeSeconds);
    }

    public NeighborSettings withLocalAddress(InetAddress value) {
        return new NeighborSettings(address, port, remoteAsn, value, passive, addressFamilies, holdTimeSeconds);
    }

    public NeighborSettings withPassive(boolean value) {
        return new NeighborSettings(address, port, remoteAsn, localAddress, value, addressFamilies, holdTimeSeconds);
    }

    public NeighborSettings withAddressFamilies(Set<AddressFamily> value) {
        return new NeighborSettings(address, port, remoteAsn, localAddress, passive, value, holdTimeSeconds);
    }

    public NeighborSettings withHoldTimeSeconds(int value) {
        return new NeighborSettings(address, port, remoteAsn, localAddress, passive, addressFamilies, value);
    }
}
