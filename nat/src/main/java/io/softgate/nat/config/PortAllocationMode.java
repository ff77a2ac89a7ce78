package io.softgate.nat.config;

/**
 * How external ports are chosen for a subscriber.
 *
 * <p>Threading: immutable enum.
 */
public enum PortAllocationMode {
    /** Each mapping gets a random free port of the range (RFC 6056 §3.3.1); one log line per mapping. */
    RANDOM,
    /** Each subscriber gets blocks of consecutive ports (RFC 6888 port-block allocation, to keep logs small); one log line per block. */
    PORT_BLOCKS
}
