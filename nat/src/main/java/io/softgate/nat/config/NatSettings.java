package io.softgate.nat.config;

import java.util.concurrent.TimeUnit;

/**
 * Node-wide NAT behaviour. Defaults follow the RFCs' recommendations; the compiler rejects values
 * below the RFC minimums and values the data path cannot hold (naming the field): every timeout at
 * most {@code SessionKeys.MAX_TIMEOUT_NS} (2,251,798,739,943,424 ns, about 26 days 1 h 30 min),
 * a port block no larger than the per-subscriber port limit, a port reuse hold of 120 s to a day.
 *
 * @param udpTimeoutNs            UDP mapping idle timeout; RFC 4787 REQ-5: at least 2 min, default 5 min
 * @param tcpEstablishedTimeoutNs RFC 5382 REQ-5: at least 2 h 4 min
 * @param tcpTransitoryTimeoutNs  RFC 5382 REQ-5: at least 4 min; applies while a SYN is unanswered, once
 *                                FINs were seen from both sides (one FIN keeps the established timeout),
 *                                after a RST, and to a session created mid-stream until the other side
 *                                answers ({@code TcpStates})
 * @param icmpQueryTimeoutNs      RFC 5508 (ICMP query session timeout): at least 60 s
 * @param portReuseHoldNs         a freed external port is not handed out again for this long; RFC 6888
 *                                REQ-8 / DESIGN §8: at least 120 s (the default); at most a day
 *                                ({@link #MAX_PORT_REUSE_HOLD_NS})
 * @param filtering               RFC 4787 §5 filtering; default endpoint-independent (REQ-8 recommended)
 * @param portAllocation          random ports or per-subscriber port blocks
 * @param portBlockSize           ports per block in {@link PortAllocationMode#PORT_BLOCKS} mode; at most
 *                                {@code portsPerSubscriberLimit} (a subscriber gets whole blocks)
 * @param portRangeFirst          lowest external port handed out (RFC 6056: 1024 and up)
 * @param portRangeLast           highest external port handed out
 * @param portsPerSubscriberLimit RFC 6888 per-subscriber limit: ports one internal address may hold per protocol
 * @param inboundRefresh          RFC 4787 REQ-6 makes outbound refresh mandatory; inbound refresh is optional
 * @param tcpMssClamp             clamp the MSS option of SYNs to this value; 0 disables clamping
 * @param icmpErrorsPerSecond     rate limit of the ICMP errors the NAT originates, per worker: the
 *                                destination unreachable code 13 for refused flows and the port
 *                                unreachable for held SYNs (0: none, those packets are dropped)
 * @param unsolicitedSynPortUnreachable RFC 5382 REQ-4: after holding an unsolicited inbound SYN for
 *                                6 s with no outbound SYN for its connection, answer ICMP port
 *                                unreachable (true, the SHOULD) or drop silently (false, REQ-4a:
 *                                a security policy that forbids answering)
 * @param sessionsPerSubscriberLimit RFC 6888 REQ-5: sessions one internal address may hold per protocol
 *                                through SNAT (sessions on its EIM mappings, either direction); beyond it
 *                                new flows are refused like the other resource refusals
 *                                ({@code subscriber-session-limit}). {@link #DEFAULT_SESSIONS_PER_SUBSCRIBER}
 *                                (0): a sixteenth of {@code NatCapacity.maxSessions}, and never fewer than
 *                                {@code portsPerSubscriberLimit} (a connection per port always fits), so no
 *                                one subscriber takes the whole session table
 *
 * <p>Threading: immutable value.
 */
public record NatSettings(
    long udpTimeoutNs,
    long tcpEstablishedTimeoutNs,
    long tcpTransitoryTimeoutNs,
    long icmpQueryTimeoutNs,
    long portReuseHoldNs,
    FilteringMode filtering,
    PortAllocationMode portAllocation,
    int portBlockSize,
    int portRangeFirst,
    int portRangeLast,
    int portsPerSubscriberLimit,
    boolean inboundRefresh,
    int tcpMssClamp,
    int icmpErrorsPerSecond,
    boolean unsolicitedSynPortUnreachable,
    int sessionsPerSubscriberLimit) {

    public static final long MIN_UDP_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(2);
    public static final long MIN_TCP_ESTABLISHED_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(124);
    public static final long MIN_TCP_TRANSITORY_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(4);
    public static final long MIN_ICMP_QUERY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    /** {@link #sessionsPerSubscriberLimit} meaning the default: a sixteenth of the node's sessions, at least the port limit. */
    public static final int DEFAULT_SESSIONS_PER_SUBSCRIBER = 0;
    /** RFC 6888 REQ-8 (DESIGN §8): a freed external port is not reused for at least 120 s. */
    public static final long MIN_PORT_REUSE_HOLD_NS = TimeUnit.SECONDS.toNanos(120);
    /**
     * The longest port reuse hold the compiler accepts: a day. The hold only has to outlast what a
     * remote may still remember of the old mapping (a TCP TIME_WAIT, its own NAT's or firewall's
     * idle timers: minutes; RFC 6888 REQ-8 and RFC 4787 ask for 120 s), while every freed port sits
     * unusable for the whole hold, so a hold of days would drain a busy address's port range for
     * nothing. It also keeps {@code now + hold} far inside the port word's int of seconds
     * ({@code PortSpace.release}), where a wrapped value would make the port reusable at once or
     * never. Below the session timeouts' maximum ({@code SessionKeys.MAX_TIMEOUT_NS}, 26 days).
     */
    public static final long MAX_PORT_REUSE_HOLD_NS = TimeUnit.DAYS.toNanos(1);

    /** The defaults: UDP 5 min, TCP 2 h 4 min / 4 min, ICMP 60 s, hold 120 s, EIF, random ports 1024-65535. */
    public static NatSettings defaults() {
        return new NatSettings(TimeUnit.MINUTES.toNanos(5), MIN_TCP_ESTABLISHED_TIMEOUT_NS,
            MIN_TCP_TRANSITORY_TIMEOUT_NS, MIN_ICMP_QUERY_TIMEOUT_NS, MIN_PORT_REUSE_HOLD_NS,
            FilteringMode.ENDPOINT_INDEPENDENT, PortAllocationMode.RANDOM, 256, 1024, 65535, 16384, true, 0, 100, true,
            DEFAULT_SESSIONS_PER_SUBSCRIBER);
    }

    public NatSettings withFiltering(FilteringMode mode) {
        return new NatSettings(udpTimeoutNs, tcpEstablishedTimeoutNs, tcpTransitoryTimeoutNs, icmpQueryTimeoutNs,
            portReuseHoldNs, mode, portAllocation, portBlockSize, portRangeFirst, portRangeLast,
            portsPerSubscriberLimit, inboundRefresh, tcpMssClamp, icmpErrorsPerSecond, unsolicitedSynPortUnreachable,
            sessionsPerSubscriberLimit);
    }

    public NatSettings withPortBlocks(int blockSize) {
        return new NatSettings(udpTimeoutNs, tcpEstablishedTimeoutNs, tcpTransitoryTimeoutNs, icmpQueryTimeoutNs,
            portReuseHoldNs, filtering, PortAllocationMode.PORT_BLOCKS, blockSize, portRangeFirst, portRangeLast,
            portsPerSubscriberLimit, inboundRefresh, tcpMssClamp, icmpErrorsPerSecond, unsolicitedSynPortUnreachable,
            sessionsPerSubscriberLimit);
    }

    public NatSettings withPortRange(int first, int last) {
        return new NatSettings(udpTimeoutNs, tcpEstablishedTimeoutNs, tcpTransitoryTimeoutNs, icmpQueryTimeoutNs,
            portReuseHoldNs, filtering, portAllocation, portBlockSize, first, last,
            portsPerSubscriberLimit, inboundRefresh, tcpMssClamp, icmpErrorsPerSecond, unsolicitedSynPortUnreachable,
            sessionsPerSubscriberLimit);
    }

    public NatSettings withPortsPerSubscriberLimit(int limit) {
        return new NatSettings(udpTimeoutNs, tcpEstablishedTimeoutNs, tcpTransitoryTimeoutNs, icmpQueryTimeoutNs,
            portReuseHoldNs, filtering, portAllocation, portBlockSize, portRangeFirst, portRangeLast,
            limit, inboundRefresh, tcpMssClamp, icmpErrorsPerSecond, unsolicitedSynPortUnreachable,
            sessionsPerSubscriberLimit);
    }

    public NatSettings withTcpMssClamp(int mss) {
        return new NatSettings(udpTimeoutNs, tcpEstablishedTimeoutNs, tcpTransitoryTimeoutNs, icmpQueryTimeoutNs,
            portReuseHoldNs, filtering, portAllocation, portBlockSize, portRangeFirst, portRangeLast,
            portsPerSubscriberLimit, inboundRefresh, mss, icmpErrorsPerSecond, unsolicitedSynPortUnreachable,
            sessionsPerSubscriberLimit);
    }

    public NatSettings withUdpTimeoutNs(long timeoutNs) {
        return new NatSettings(timeoutNs, tcpEstablishedTimeoutNs, tcpTransitoryTimeoutNs, icmpQueryTimeoutNs,
            portReuseHoldNs, filtering, portAllocation, portBlockSize, portRangeFirst, portRangeLast,
            portsPerSubscriberLimit, inboundRefresh, tcpMssClamp, icmpErrorsPerSecond, unsolicitedSynPortUnreachable,
            sessionsPerSubscriberLimit);
    }

    public NatSettings withIcmpErrorsPerSecond(int perSecond) {
        return new NatSettings(udpTimeoutNs, tcpEstablishedTimeoutNs, tcpTransitoryTimeoutNs, icmpQueryTimeoutNs,
            portReuseHoldNs, filtering, portAllocation, portBlockSize, portRangeFirst, portRangeLast,
            portsPerSubscriberLimit, inboundRefresh, tcpMssClamp, perSecond, unsolicitedSynPortUnreachable,
            sessionsPerSubscriberLimit);
    }

    /** A freed external port is held {@code holdNs} before it is handed out again ({@link #MIN_PORT_REUSE_HOLD_NS}..{@link #MAX_PORT_REUSE_HOLD_NS}). */
    public NatSettings withPortReuseHoldNs(long holdNs) {
        return new NatSettings(udpTimeoutNs, tcpEstablishedTimeoutNs, tcpTransitoryTimeoutNs, icmpQueryTimeoutNs,
            holdNs, filtering, portAllocation, portBlockSize, portRangeFirst, portRangeLast,
            portsPerSubscriberLimit, inboundRefresh, tcpMssClamp, icmpErrorsPerSecond, unsolicitedSynPortUnreachable,
            sessionsPerSubscriberLimit);
    }

    /** {@code limit} sessions per subscriber and protocol; {@link #DEFAULT_SESSIONS_PER_SUBSCRIBER} for the default. */
    public NatSettings withSessionsPerSubscriberLimit(int limit) {
        return new NatSettings(udpTimeoutNs, tcpEstablishedTimeoutNs, tcpTransitoryTimeoutNs, icmpQueryTimeoutNs,
            portReuseHoldNs, filtering, portAllocation, portBlockSize, portRangeFirst, portRangeLast,
            portsPerSubscriberLimit, inboundRefresh, tcpMssClamp, icmpErrorsPerSecond, unsolicitedSynPortUnreachable,
            limit);
    }

    /**
     * The per-subscriber session limit in force on a node that holds {@code maxSessions} sessions:
     * {@link #sessionsPerSubscriberLimit} when set, otherwise the default (see there).
     */
    public int sessionsPerSubscriber(int maxSessions) {
        return sessionsPerSubscriberLimit != DEFAULT_SESSIONS_PER_SUBSCRIBER ? sessionsPerSubscriberLimit
            : Math.max(maxSessions / 16, portsPerSubscriberLimit);
    }

    public NatSettings withUnsolicitedSynPortUnreachable(boolean answer) {
        return new NatSettings(udpTimeoutNs, tcpEstablishedTimeoutNs, tcpTransitoryTimeoutNs, icmpQueryTimeoutNs,
            portReuseHoldNs, filtering, portAllocation, portBlockSize, portRangeFirst, portRangeLast,
            portsPerSubscriberLimit, inboundRefresh, tcpMssClamp, icmpErrorsPerSecond, answer,
            sessionsPerSubscriberLimit);
    }
}
