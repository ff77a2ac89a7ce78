package io.softgate.acl.stage;

import java.util.concurrent.TimeUnit;

/**
 * Idle timeouts of the return-traffic entries the ACL keeps, per protocol.
 *
 * <p>Threading: immutable value.
 */
public record AclFlowTimeouts(long tcpTimeoutNs, long udpTimeoutNs, long icmpTimeoutNs, long otherTimeoutNs) {
    /**
     * Defaults: TCP 2 h 4 min (RFC 5382 §5, REQ-5: established idle timeout), UDP 5 min
     * (RFC 4787 §4.3, REQ-5 recommends 5 minutes), ICMP 60 s (RFC 5508 §3.2, REQ-1), others 5 min.
     */
    public static AclFlowTimeouts defaults() {
        return new AclFlowTimeouts(TimeUnit.MINUTES.toNanos(124), TimeUnit.MINUTES.toNanos(5),
            TimeUnit.SECONDS.toNanos(60), TimeUnit.MINUTES.toNanos(5));
    }

    /** Timeout for IP protocol {@code protocol}. */
    public long forProtocol(int protocol) {
        return switch (protocol) {
            case 6 -> tcpTimeoutNs;
            case 17 -> udpTimeoutNs;
            case 1, 58 -> icmpTimeoutNs;
            default -> otherTimeoutNs;
        };
    }
}
