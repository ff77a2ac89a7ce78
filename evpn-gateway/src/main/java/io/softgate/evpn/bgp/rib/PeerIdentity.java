package io.softgate.evpn.bgp.rib;

import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.net.InetAddress;

/**
 * Where a path came from: a peer (its address, BGP identifier and AS) or this node itself.
 *
 * <p>Threading: immutable, safe to share.
 */
public record PeerIdentity(InetAddress address, long routerId, long asNumber, boolean external) {
    private static final InetAddress NO_ADDRESS = InetAddresses.fromBytes(new byte[4]);

    /** The source of locally originated paths. */
    public static PeerIdentity local(long routerId, long asNumber) {
        return new PeerIdentity(NO_ADDRESS, routerId, asNumber, false);
    }

    public boolean isLocal() {
        return address.equals(NO_ADDRESS);
    }

    @Override
    public String toString() {
        return isLocal() ? "local" : address.getHostAddress() + " (AS " + asNumber + ")";
    }
}
