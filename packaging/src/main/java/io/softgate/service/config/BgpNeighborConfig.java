package io.softgate.service.config;

/**
 * One BGP neighbour: its address (the leaf knows us by our link address, so we connect from
 * {@code localAddress}), its AS number, its port, whether we only accept its connections, and
 * our proposed hold time.
 *
 * <p>Threading: immutable.
 */
public record BgpNeighborConfig(String address, Long remoteAsn, String localAddress, Integer port, Boolean passive,
                                Integer holdTimeSeconds) {
    public static final int DEFAULT_PORT = 179;
    public static final int DEFAULT_HOLD_TIME_SECONDS = 90;

    public BgpNeighborConfig {
        port = port == null ? DEFAULT_PORT : port;
        passive = passive != null && passive;
        holdTimeSeconds = holdTimeSeconds == null ? DEFAULT_HOLD_TIME_SECONDS : holdTimeSeconds;
    }

    /** An active neighbour on port 179 with the default hold time (for tests and tools). */
    public static BgpNeighborConfig of(String address, long remoteAsn, String localAddress) {
        return new BgpNeighborConfig(address, remoteAsn, localAddress, null, null, null);
    }
}
