package io.softgate.evpn.bgp.session;

/**
 * The RFC 4271 §8.2.2 session states.
 *
 * <p>Threading: immutable enum.
 */
public enum BgpState {
    IDLE, CONNECT, ACTIVE, OPEN_SENT, OPEN_CONFIRM, ESTABLISHED
}
