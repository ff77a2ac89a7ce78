package io.softgate.evpn.bgp.capability;

import io.softgate.evpn.bgp.nlri.AddressFamily;

/**
 * Multiprotocol Extensions, code 1 (RFC 4760 §8): AFI(2) Reserved(1) SAFI(1).
 *
 * <p>Threading: immutable, safe to share.
 */
public record MultiprotocolCapability(AddressFamily addressFamily) implements Capability {
    public static final int CODE = 1;

    @Override
    public int code() {
        return CODE;
    }
}
