package io.softgate.evpn.bgp.message;

/**
 * KEEPALIVE (RFC 4271 §4.4): the header alone.
 *
 * <p>Threading: immutable, safe to share.
 */
public record KeepaliveMessage() implements BgpMessage {
    public static final KeepaliveMessage INSTANCE = new KeepaliveMessage();

    @Override
    public int type() {
        return TYPE_KEEPALIVE;
    }
}
