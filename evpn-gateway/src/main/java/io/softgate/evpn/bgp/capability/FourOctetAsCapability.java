package io.softgate.evpn.bgp.capability;

/**
 * Support for 4-octet AS numbers, code 65 (RFC 6793 §3): the speaker's AS in four octets.
 *
 * <p>Threading: immutable, safe to share.
 */
public record FourOctetAsCapability(long asNumber) implements Capability {
    public static final int CODE = 65;

    @Override
    public int code() {
        return CODE;
    }
}
