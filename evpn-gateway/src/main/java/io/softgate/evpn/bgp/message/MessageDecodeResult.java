package io.softgate.evpn.bgp.message;

/**
 * The outcome of decoding one message: the message, or the NOTIFICATION to send before
 * closing the session (RFC 4271 §6, RFC 7606 "session reset").
 *
 * <p>Threading: immutable, safe to share.
 */
public record MessageDecodeResult(BgpMessage message, NotificationMessage error) {
    public static MessageDecodeResult of(BgpMessage message) {
        return new MessageDecodeResult(message, null);
    }

    public static MessageDecodeResult failure(int code, int subcode, byte[] data) {
        return new MessageDecodeResult(null, new NotificationMessage(code, subcode, data));
    }

    public boolean isFailure() {
        return error != null;
    }
}
