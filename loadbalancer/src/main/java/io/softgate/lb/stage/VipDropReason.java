package io.softgate.lb.stage;

import io.softgate.core.flow.FlowTable;
import io.softgate.core.pipeline.DropReason;

/**
 * Why {@code lb-vip} dropped a packet addressed to a VIP (counters {@code lb-vip.drop.<label>}).
 *
 * <p>Threading: immutable enum.
 */
public enum VipDropReason implements DropReason {
    /** L4 header (or an ICMP error's embedded header) cut short. */
    MALFORMED("malformed"),
    /** IPv4 fragment to a VIP: the load balancer does not reassemble (documented in README). */
    FRAGMENT_TO_VIP("fragment-to-vip"),
    /** VIP address known, but no service for this protocol and port (no ICMP port unreachable is sent). */
    UNKNOWN_VIP_PORT("unknown-vip-port"),
    /** The service has no backend taking new connections (all down, in maintenance, or none). */
    NO_BACKEND("no-backend"),
    /** The connection table had no free slot in the key's probe window (nothing is evicted). */
    CONNECTION_TABLE_FULL("connection-table-full"),
    /**
     * Another worker was inserting the same entry and did not finish within the table's bounded
     * retries ({@code FlowTable.CONTENDED}), or the entry a racing worker made was gone before
     * this packet could follow it: dropped, the client's retransmission will do. Expected only
     * when workers share cores.
     */
    INSERT_CONTENDED("insert-contended"),
    /** Full NAT found no free source port for this backend among the ports it tried. */
    FULL_NAT_PORTS_EXHAUSTED("full-nat-ports-exhausted"),
    /** An ICMP error to a VIP whose embedded packet matches no tracked connection. */
    ICMP_ERROR_WITHOUT_CONNECTION("icmp-error-without-connection");

    private final String label;

    VipDropReason(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** The reason for a failed {@code FlowTable.insert} result ({@code FULL} or {@code CONTENDED}). */
    static VipDropReason insertFailure(int result) {
        return result == FlowTable.CONTENDED ? INSERT_CONTENDED : CONNECTION_TABLE_FULL;
    }
}
