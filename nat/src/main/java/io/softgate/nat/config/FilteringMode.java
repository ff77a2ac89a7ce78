package io.softgate.nat.config;

/**
 * RFC 4787 §5 filtering behaviour for inbound packets that match a mapping but no session.
 *
 * <p>Threading: immutable enum.
 */
public enum FilteringMode {
    /** Any remote may send to an active mapping (RFC 4787 REQ-8 recommends this for transparency). */
    ENDPOINT_INDEPENDENT,
    /** Only remotes whose address the internal endpoint has sent to (RFC 4787 REQ-8 allows this for strictness). */
    ADDRESS_DEPENDENT
}
