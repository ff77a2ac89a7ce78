package io.softgate.acl.stage;

import io.softgate.core.pipeline.DropReason;

/**
 * Why the ACL stage dropped a packet (counter {@code <stage>.drop.<label>}).
 *
 * <p>Threading: immutable enum.
 */
public enum AclDropReason implements DropReason {
    /** The first matching rule denies. */
    RULE_DENIED("rule-denied"),
    /** No rule matched and the VPC's default policy is deny. */
    DEFAULT_DENIED("default-denied"),
    /** Return traffic of a flow the current rules no longer permit (the flow is cut). */
    FLOW_CUT("flow-cut-by-new-rules"),
    /** The inner IP header is missing, truncated, or its extension headers are broken. */
    MALFORMED_IP("malformed-ip-header"),
    /** The TCP, UDP or ICMP header is cut short. */
    TRUNCATED_L4("truncated-l4-header");

    private final String label;

    AclDropReason(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }
}
