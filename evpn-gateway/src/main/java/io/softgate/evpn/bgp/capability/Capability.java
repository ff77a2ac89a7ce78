package io.softgate.evpn.bgp.capability;

/**
 * One capability advertised in an OPEN (RFC 5492 §4): Capability Code(1) Length(1) Value.
 *
 * <p>Threading: implementations are immutable, safe to share.
 */
public interface Capability {
    int code();
}
