package io.softgate.evpn.bgp.message;

import java.util.Arrays;

/**
 * NOTIFICATION (RFC 4271 §4.5): Error Code(1) Error Subcode(1) Data; the connection closes
 * right after it. Codes and subcodes as in RFC 4271 §4.5, RFC 4486 and RFC 8538 (Hard Reset,
 * whose Data is another NOTIFICATION's Error Code, Error Subcode and Data: {@link #hardReset},
 * {@link #hardResetCause}).
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
    // Cease subcodes (RFC 4486, RFC 8538 §3)
    public static final int MAXIMUM_NUMBER_OF_PREFIXES_REACHED = 1;
    public static final int ADMINISTRATIVE_SHUTDOWN = 2;
    public static final int PEER_DE_CONFIGURED = 3;
    public static final int ADMINISTRATIVE_RESET = 4;
    public static final int CONNECTION_REJECTED = 5;
    public static final int CONNECTION_COLLISION_RESOLUTION = 7;
    public static final int HARD_RESET = 9;

    /** The most Data a Hard Reset can carry in a message any peer accepts (4096 octets, RFC 4271 §4.1). */
    private static final int MAX_HARD_RESET_DATA = CodecContext.STANDARD_MAX_MESSAGE_LENGTH - BgpMessage.HEADER_LENGTH - 2;

    public NotificationMessage {
        data = data.clone();
    }

    public NotificationMessage(int errorCode, int errorSubcode) {
        this(errorCode, errorSubcode, new byte[0]);
    }

    /**
     * RFC 8538 §3.1: a Cease NOTIFICATION with subcode Hard Reset whose Data is {@code cause}'s
     * Error Code, Error Subcode and Data. A cause whose Data would not fit a 4096-octet message
     * (we only send our own, short ones) is cut to fit: its code and subcode are what matter.
     */
    public static NotificationMessage hardReset(NotificationMessage cause) {
        int causeDataLength = Math.min(cause.data.length, MAX_HARD_RESET_DATA - 2);
        byte[] data = new byte[2 + causeDataLength];
        data[0] = (byte) cause.errorCode;
        data[1] = (byte) cause.errorSubcode;
        System.arraycopy(cause.data, 0, data, 2, causeDataLength);
        return new NotificationMessage(CEASE, HARD_RESET, data);
    }

    /** Cease / Hard Reset (RFC 8538 §3): the session ends for good, the sender's routes are flushed. */
    public boolean isHardReset() {
        return errorCode == CEASE && errorSubcode == HARD_RESET;
    }

    /**
     * The NOTIFICATION a Hard Reset encapsulates (RFC 8538 §3.1), or null when this is no Hard
     * Reset or its Data is shorter than the two octets of an Error Code and Subcode. Such a
     * malformed one is still a Hard Reset: the outer code and subcode decide what happens, and
     * an error in a received NOTIFICATION is only logged, never answered (RFC 4271 §6.4).
     */
    public NotificationMessage hardResetCause() {
        if (!isHardReset() || data.length < 2) {
            return null;
        }
        return new NotificationMessage(data[0] & 0xFF, data[1] & 0xFF, Arrays.copyOfRange(data, 2, data.length));
    }

    /**
     * RFC 8538 §5.1: once both sides have set the N bit, which of our Cease NOTIFICATIONs go out
     * as a Hard Reset. Maximum Number of Prefixes Reached (MUST), Administrative Shutdown and
     * Peer De-configured (SHOULD), and Administrative Reset (SHOULD, where the operator has no
     * per-reset choice, as here) end the session for good; the others (Connection Rejected,
     * Other Configuration Change, Connection Collision Resolution, Out of Resources, BFD Down)
     * SHOULD NOT be sent as a Hard Reset. Other error codes go out as they are: the session
     * then restarts gracefully (RFC 8538 §4).
     */
    public boolean warrantsHardReset() {
        if (errorCode != CEASE) {
            return false;
        }
        return errorSubcode == MAXIMUM_NUMBER_OF_PREFIXES_REACHED || errorSubcode == ADMINISTRATIVE_SHUTDOWN
                || errorSubcode == PEER_DE_CONFIGURED || errorSubcode == ADMINISTRATIVE_RESET;
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
        if (isHardReset()) {
            NotificationMessage cause = hardResetCause();
            return "NOTIFICATION " + errorCode + "/" + errorSubcode + " (Hard Reset: "
                    + (cause == null ? data.length + " octets of data, too short for the encapsulated NOTIFICATION"
                    : cause.errorCode + "/" + cause.errorSubcode) + ")";
        }
        return "NOTIFICATION " + errorCode + "/" + errorSubcode + (data.length == 0 ? "" : " (" + data.length + " octets of data)");
    }
}
