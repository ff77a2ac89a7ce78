package io.softgate.acl.stage;

import io.softgate.core.flow.FlowTable;

/**
 * What every ACL stage instance (ingress and egress, on every worker) shares: the lock-free
 * table of return-traffic entries, the per-rule counters, and the flow timeouts. The service
 * creates one at start-up and hands it to both {@link AclStageFactory} instances.
 *
 * <p>Threading: safe for all workers at once (the flow table is lock-free; counters are per worker).
 */
public final class AclRuntime implements AutoCloseable {
    /** Key: (vrf, family, protocol, ports), source high/low, destination high/low. */
    static final int KEY_WORDS = 5;
    /** Value: generation, then (counter id, forward ICMP type, grant kind). */
    static final int VALUE_WORDS = 2;

    private final FlowTable flows;
    private final AclRuleCounters counters = new AclRuleCounters();
    private final AclFlowTimeouts timeouts;

    public AclRuntime(int flowCapacity, AclFlowTimeouts timeouts) {
        this.flows = new FlowTable(flowCapacity, KEY_WORDS, VALUE_WORDS);
        this.timeouts = timeouts;
    }

    public FlowTable flows() {
        return flows;
    }

    public AclRuleCounters counters() {
        return counters;
    }

    public AclFlowTimeouts timeouts() {
        return timeouts;
    }

    @Override
    public void close() {
        flows.close();
    }
}
