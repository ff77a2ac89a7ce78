package io.softgate.evpn.bgp.config;

/**
 * How the speaker ends its established sessions when it stops.
 *
 * <p>Threading: immutable constants.
 */
public enum StopMode {
    /**
     * A planned restart (an upgrade): each session that negotiated graceful restart is closed at
     * the TCP level without a NOTIFICATION, so the peer keeps our routes as stale for our restart
     * time and goes on forwarding to our VTEP (RFC 4724 §4); sessions without graceful restart
     * get the Cease of {@link #SHUTDOWN}.
     */
    RESTART,
    /**
     * Leaving for good (decommissioning, draining): every session gets a Cease / Administrative
     * Shutdown, as an RFC 8538 Hard Reset where both set the N bit, and the peers withdraw our
     * routes at once.
     */
    SHUTDOWN
}
