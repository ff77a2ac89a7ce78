package io.softgate.lb.stage;

import io.softgate.core.pipeline.DropReason;

/**
 * Why {@link ReplyStage} drops a packet (one counter each: {@code lb-reply.drop.<label>}).
 *
 * <p>Threading: immutable enum.
 */
public enum ReplyDropReason implements DropReason {
    /** A backend's reply whose rewrite would touch bytes outside the frame memory ({@link PacketRewriter#apply}). */
    MALFORMED("malformed");

    private final String label;

    ReplyDropReason(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }
}
