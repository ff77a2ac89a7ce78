package io.softgate.service.trace;

/**
 * What an operator asks to trace: the next {@code count} packets (1..{@link #MAX_PACKETS})
 * matching every given field; a null field matches anything. {@code vrf} is a VRF or VPC name,
 * prefixes are IPv4 ({@code 10.1.1.0/24}, or an address), {@code protocol} is tcp, udp, icmp or a
 * number.
 *
 * <p>Threading: immutable value.
 */
public record TraceRequest(Integer count, Integer vni, String vrf, String sourcePrefix, String destinationPrefix,
                           String protocol, Integer sourcePort, Integer destinationPort) {
    /** Most packets one trace follows. */
    public static final int MAX_PACKETS = 256;
}
