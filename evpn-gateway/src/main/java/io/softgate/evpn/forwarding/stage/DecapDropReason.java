package io.softgate.evpn.forwarding.stage;

import io.softgate.core.pipeline.DropReason;

/**
 * Why {@code vxlan-decap} dropped a packet (counter {@code vxlan-decap.drop.<label>}).
 *
 * <p>Threading: immutable enum.
 */
public enum DecapDropReason implements DropReason {
    NOT_CONFIGURED("not-configured"),
    TRUNCATED_OUTER_ETHERNET("truncated-outer-ethernet"),
    MALFORMED_OUTER_ETHERNET("malformed-outer-ethernet"),
    NOT_IPV4_UNDERLAY("not-ipv4-underlay"),
    TRUNCATED_OUTER_IPV4("truncated-outer-ipv4"),
    MALFORMED_OUTER_IPV4("malformed-outer-ipv4"),
    BAD_OUTER_IPV4_CHECKSUM("bad-outer-ipv4-checksum"),
    NOT_OUR_VTEP("not-our-vtep"),
    NOT_UDP("not-udp"),
    OUTER_FRAGMENT("outer-fragment"),
    TRUNCATED_UDP("truncated-udp"),
    NOT_VXLAN_PORT("not-vxlan-port"),
    MALFORMED_UDP_LENGTH("malformed-udp-length"),
    TRUNCATED_VXLAN("truncated-vxlan"),
    VXLAN_I_FLAG_CLEAR("vxlan-i-flag-clear"),
    UNKNOWN_VNI("unknown-vni"),
    TRUNCATED_INNER_ETHERNET("truncated-inner-ethernet"),
    INNER_VLAN_TAGGED("inner-vlan-tagged"),
    WRONG_INNER_ROUTER_MAC("wrong-inner-router-mac"),
    UNSUPPORTED_INNER_ETHERTYPE("unsupported-inner-ethertype"),
    TRUNCATED_INNER_IPV4("truncated-inner-ipv4"),
    MALFORMED_INNER_IPV4("malformed-inner-ipv4"),
    BAD_INNER_IPV4_CHECKSUM("bad-inner-ipv4-checksum"),
    TRUNCATED_INNER_IPV6("truncated-inner-ipv6"),
    MALFORMED_INNER_IPV6("malformed-inner-ipv6"),
    MALFORMED_INNER_IPV6_EXTENSION_HEADERS("malformed-inner-ipv6-extension-headers"),
    ECN_CE_ON_NOT_ECT("ecn-ce-on-not-ect"),
    /** An IP packet from an IP port (TUN) but no VRF is the outside VRF. */
    IP_PORT_WITHOUT_OUTSIDE_VRF("ip-port-without-outside-vrf"),
    /** An IP packet from an IP port (TUN) that is neither IPv4 nor IPv6 (or is empty). */
    IP_PORT_NOT_IP("ip-port-not-ip");

    private final String label;

    DecapDropReason(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }
}
