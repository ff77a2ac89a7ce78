package io.softgate.nat;

/**
 * Sizes fixed at start-up (tables are never resized): sessions and EIM mappings the node holds,
 * first-fragment records, the event-log ring, and the number of distinct public addresses.
 *
 * <p>Threading: immutable value.
 */
public record NatCapacity(int maxSessions, int maxMappings, int maxFragments, int eventLogBytes,
                          int maxPublicAddresses) {
    /** One million sessions and mappings, 64 Ki fragments, a 4 MiB log ring, 1024 public addresses. */
    public static NatCapacity defaults() {
        return new NatCapacity(1 << 20, 1 << 20, 1 << 16, 1 << 22, 1024);
    }
}
