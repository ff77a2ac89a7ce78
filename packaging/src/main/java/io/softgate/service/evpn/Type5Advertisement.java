package io.softgate.service.evpn;

import java.net.InetAddress;

/**
 * One type-5 IP prefix route (RFC 9136) we originate: {@code prefix/prefixLength} into the VRF
 * with L3VNI {@code l3Vni}.
 *
 * <p>Threading: immutable value.
 */
public record Type5Advertisement(int l3Vni, InetAddress prefix, int prefixLength) {
    @Override
    public String toString() {
        return prefix.getHostAddress() + "/" + prefixLength + " l3vni " + l3Vni;
    }
}
