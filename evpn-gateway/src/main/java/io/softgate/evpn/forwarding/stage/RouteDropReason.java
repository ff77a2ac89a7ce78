package io.softgate.evpn.forwarding.stage;

import io.softgate.core.pipeline.DropReason;

/**
 * Why {@code vrf-route} dropped a packet (counter {@code vrf-route.drop.<label>}). A packet that
 * is turned into an ICMP error is not dropped; when no error may be sent (rate limit, RFC 1812
 * §4.3.2.7 rules, no source address, no route back) it is dropped under the original reason.
 *
 * <p>Threading: immutable enum.
 */
public enum RouteDropReason implements DropReason {
    NOT_CONFIGURED("not-configured"),
    NOT_DECAPSULATED("not-decapsulated"),
    NO_ROUTE("no-route"),
    BLACKHOLE("blackhole"),
    LOCAL_DESTINATION("local-destination"),
    TTL_EXPIRED("ttl-expired"),
    PACKET_TOO_BIG("packet-too-big"),
    FRAGMENTATION_NOT_SUPPORTED("fragmentation-not-supported");

    private final String label;

    RouteDropReason(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }
}
