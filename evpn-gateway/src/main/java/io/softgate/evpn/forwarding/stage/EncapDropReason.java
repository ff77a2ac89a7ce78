package io.softgate.evpn.forwarding.stage;

import io.softgate.core.pipeline.DropReason;

/**
 * Why {@code vxlan-encap} dropped a packet (counter {@code vxlan-encap.drop.<label>}).
 *
 * <p>Threading: immutable enum.
 */
public enum EncapDropReason implements DropReason {
    NOT_CONFIGURED("not-configured"),
    NO_ADJACENCY("no-adjacency"),
    NO_INNER_PACKET("no-inner-packet"),
    NO_HEADROOM("no-headroom"),
    INNER_LENGTH_OUTSIDE_FRAME("inner-length-outside-frame");

    private final String label;

    EncapDropReason(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }
}
