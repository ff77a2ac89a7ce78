package io.softgate.nat.log;

/**
 * Kinds of NAT event log records (the ring-buffer message type ids and the words in a line).
 *
 * <p>Threading: constants only.
 */
public final class NatEventType {
    public static final int MAPPING_CREATE = 1;
    public static final int MAPPING_DELETE = 2;
    public static final int BLOCK_CREATE = 3;
    public static final int BLOCK_DELETE = 4;

    private NatEventType() {
    }

    public static String label(int type) {
        switch (type) {
            case MAPPING_CREATE:
                return "MAPPING-CREATE";
            case MAPPING_DELETE:
                return "MAPPING-DELETE";
            case BLOCK_CREATE:
                return "BLOCK-CREATE";
            case BLOCK_DELETE:
                return "BLOCK-DELETE";
            default:
                return "UNKNOWN-" + type;
        }
    }
}
