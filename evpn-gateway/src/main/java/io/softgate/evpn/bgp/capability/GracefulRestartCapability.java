package io.softgate.evpn.bgp.capability;

import io.softgate.evpn.bgp.nlri.AddressFamily;
import java.util.List;

/**
 * Graceful Restart, code 64 (RFC 4724 §3): Restart Flags(4 bits, R = restarted, N =
 * notification support per RFC 8538) Restart Time(12 bits, seconds), then per address family
 * AFI(2) SAFI(1) Flags(1, F = forwarding state preserved).
 *
 * <p>Threading: immutable, safe to share.
 */
public record GracefulRestartCapability(boolean restartState, boolean notificationSupport, int restartTimeSeconds,
                                        List<Family> families) implements Capability {
    public static final int CODE = 64;

    /**
     * One address family the sender preserves across a restart.
     *
     * <p>Threading: immutable, safe to share.
     */
    public record Family(AddressFamily addressFamily, boolean forwardingStatePreserved) {
    }

    public GracefulRestartCapability {
        families = List.copyOf(families);
    }

    /** The family entry for {@code family}, or null when the sender does not preserve it. */
    public Family find(AddressFamily family) {
        for (Family entry : families) {
            if (entry.addressFamily().equals(family)) {
                return entry;
            }
        }
        return null;
    }

    @Override
    public int code() {
        return CODE;
    }
}
