package io.softgate.evpn.bgp.message;

import java.util.Arrays;

/**
 * NOTIFICATION (RFC 4271 §4.5): Error Code(1) Error Subcode(1) Data; the connection closes
 * right after it. Codes and subcodes as in RFC 4271 §4.5 and RFC 4486.
 *
 * <p>Threading: immutable, safe to share.
 */
public record NotificationMessage(int errorCode, int errorSubcode, byte[] data) implements BgpMessage {
    public static final int MESSAGE_HEADER_ERROR = 1;
    public static final int OPEN_MESSAGE_ERROR = 2;
    public static final int UPDATE_MESSAGE_ERROR = 3;
    public static final int HOLD_TIMER_EXPIRED = 4;
    public static final int FINITE_STATE_MACHINE_ERROR = 5;
    public static final int CEASE = 6;
    public static final int ROUTE_REFRESH_MESSAGE_ERROR = 7;

    // Message Header Error subcodes
    public static final int CONNECTION_NOT_SYNCHRONIZED = 1;
    public static final int BAD_MESSAGE_LENGTH = 2;
    public static final int BAD_MESSAGE_TYPE = 3;
    // OPEN Message Error subcodes
    public static final int UNSUPPORTED_VERSION_NUMBER = 1;
    public static final int BAD_PEER_AS = 2;
    public static final int BAD_BGP_IDENTIFIER = 3;
    public static final int UNSUPPORTED_OPTIONAL_PARAMETER = 4;
    public static final int UNACCEPTABLE_HOLD_TIME = 6;
    // UPDATE Message Error subcodes
    public static final int MALFORMED_ATTRIBUTE_LIST = 1;
    public static final int UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE = 2;
    public static final int MISSING_WELL_KNOWN_ATTRIBUTE = 3;
    public static final int ATTRIBUTE_FLAGS_ERROR = 4;
    public static final int ATTRIBUTE_LENGTH_ERROR = 5;
    public static final int OPTIONAL_ATTRIBUTE_ERROR = 9;
    public static final int INVALID_NETWORK_FIELD = 10;
    // Finite State Machine Error subcodes (RFC 6608 §3)
    public static final int UNEXPECTED_MESSAGE_IN_OPEN_SENT = 1;
    public static final int UNEXPECTED_MESSAGE_IN_OPEN_CONFIRM = 2;
    public static final int UNEXPECTED_MESSAGE_IN_ESTABLISHED = 3;
    // Cease subcodes (RFC 4486)
    public static final int ADMINISTRATIVE_SHUTDOWN = 2;
    public static final int PEER_DE_CONFIGURED = 3;
    public static final int ADMINISTRATIVE_RESET = 4;
    public static final int CONNECTION_REJECTED = 5;
    public static final int CONNECTION_COLLISION_RESOLUTION = 7;

    public NotificationMessage {
        data = data.clone();
    }

    public NotificationMessage(int errorCode, int errorSubcode) {
        this(errorCode, errorSubcode, new byte[0]);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int type() {
        return TYPE_NOTIFICATION;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NotificationMessage && ((NotificationMessage) other).errorCode == errorCode
                && ((NotificationMessage) other).errorSubcode == errorSubcode
                && Arrays.equals(((NotificationMessage) other).data, data);
    }

    @Override
    public int hashCode() {
        return (errorCode * 31 + errorSubcode) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NOTIFICATION " + errorCode + "/" + errorSubcode + (data.length == 0 ? "" : " (" + data.length + " octets of data)");
    }
}
