package io.softgate.nat.rewrite;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.packet.UdpFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The 5-tuple the NAT keys on, read from a packet into reused fields. ICMP queries use their
 * identifier as the port of the side that chose it (RFC 5508 ICMP query mapping): a request carries it as the
 * source port, a reply as the destination port, the other port being 0; so a reply's tuple is
 * the request's tuple reversed, exactly as for TCP and UDP.
 *
 * <p>Threading: a mutable scratch object owned by one worker.
 */
public final class FlowTuple {
    /** Result of {@link #read}: the tuple is usable. */
    public static final int OK = 0;
    /** The L4 header is cut short. */
    public static final int TRUNCATED = 1;
    /** ICMP type that is neither a query nor an error the NAT handles. */
    public static final int UNSUPPORTED_ICMP = 2;
    /** The packet is an ICMP error (its embedded packet, not its tuple, decides). */
    public static final int ICMP_ERROR = 3;
    /** Protocol the NAT does not translate (not TCP, UDP or ICMP). */
    public static final int UNSUPPORTED_PROTOCOL = 4;

    public int protocol;
    public int source;
    public int sourcePort;
    public int destination;
    public int destinationPort;
    /** TCP flags (0 for other protocols). */
    public int tcpFlags;
    /**
     * An ICMP query reply (echo or timestamp reply): its identifier is the destination "port". Told
     * apart by type, never by a zero port: a request may carry identifier 0 (RFC 792 allows any).
     */
    public boolean icmpReply;

    /**
     * Reads the tuple of the IPv4 packet at {@code l3} whose L4 header starts at {@code l4} and has
     * {@code l4Available} bytes. For a non-first fragment pass {@code l4 < 0}: ports read as 0.
     */
    public int read(UnsafeBuffer buffer, int l3, int l4, int l4Available) {
        protocol = Ipv4Flyweight.protocol(buffer, l3);
        source = Ipv4Flyweight.source(buffer, l3);
        destination = Ipv4Flyweight.destination(buffer, l3);
        sourcePort = 0;
        destinationPort = 0;
        tcpFlags = 0;
        icmpReply = false;
        if (l4 < 0) {
            return OK;
        }
        switch (protocol) {
            case Ipv4Flyweight.PROTOCOL_TCP:
                // RFC 5382 needs ports and flags: the first 14 bytes; the stage has checked the full header.
                if (l4Available < TcpFlyweight.MIN_HEADER_LENGTH) {
                    return TRUNCATED;
                }
                sourcePort = TcpFlyweight.sourcePort(buffer, l4);
                destinationPort = TcpFlyweight.destinationPort(buffer, l4);
                tcpFlags = TcpFlyweight.flags(buffer, l4);
                return OK;
            case Ipv4Flyweight.PROTOCOL_UDP:
                if (l4Available < UdpFlyweight.HEADER_LENGTH) {
                    return TRUNCATED;
                }
                sourcePort = UdpFlyweight.sourcePort(buffer, l4);
                destinationPort = UdpFlyweight.destinationPort(buffer, l4);
                return OK;
            case Ipv4Flyweight.PROTOCOL_ICMP:
                if (l4Available < IcmpFlyweight.HEADER_LENGTH) {
                    return TRUNCATED;
                }
                return readIcmp(IcmpFlyweight.type(buffer, l4), IcmpFlyweight.identifier(buffer, l4));
            default:
                return UNSUPPORTED_PROTOCOL;
        }
    }

    /**
     * Reads the tuple of an embedded packet (RFC 792: IP header plus at least 8 bytes of L4) where
     * TCP offers only its ports; {@code l4Available} may be as small as 8.
     */
    public int readEmbedded(UnsafeBuffer buffer, int l3, int l4, int l4Available) {
        protocol = Ipv4Flyweight.protocol(buffer, l3);
        source = Ipv4Flyweight.source(buffer, l3);
        destination = Ipv4Flyweight.destination(buffer, l3);
        sourcePort = 0;
        destinationPort = 0;
        tcpFlags = 0;
        icmpReply = false;
        if (l4Available < 8) {
            return TRUNCATED;
        }
        switch (protocol) {
            case Ipv4Flyweight.PROTOCOL_TCP:
            case Ipv4Flyweight.PROTOCOL_UDP:
                sourcePort = UdpFlyweight.sourcePort(buffer, l4);
                destinationPort = UdpFlyweight.destinationPort(buffer, l4);
                return OK;
            case Ipv4Flyweight.PROTOCOL_ICMP:
                int result = readIcmp(IcmpFlyweight.type(buffer, l4), IcmpFlyweight.identifier(buffer, l4));
                // RFC 1122 §3.2.2: no error is sent about an error, so an error worth translating again.
                return result == ICMP_ERROR ? UNSUPPORTED_ICMP : result;
            default:
                return UNSUPPORTED_PROTOCOL;
        }
    }

    private int readIcmp(int type, int identifier) {
        switch (type) {
            case IcmpFlyweight.V4_ECHO_REQUEST:
            case IcmpFlyweight.V4_TIMESTAMP:
                sourcePort = identifier;
                return OK;
            case IcmpFlyweight.V4_ECHO_REPLY:
            case IcmpFlyweight.V4_TIMESTAMP_REPLY:
                destinationPort = identifier;
                icmpReply = true;
                return OK;
            default:
                return IcmpFlyweight.isV4Error(type) ? ICMP_ERROR : UNSUPPORTED_ICMP;
        }
    }

    /** Swaps source and destination (the tuple a reply would carry). */
    public void reverse() {
        int address = source;
        source = destination;
        destination = address;
        int port = sourcePort;
        sourcePort = destinationPort;
        destinationPort = port;
    }
}
