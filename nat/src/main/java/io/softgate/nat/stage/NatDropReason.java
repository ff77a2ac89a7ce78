package io.softgate.nat.stage;

import io.softgate.core.pipeline.DropReason;

/**
 * Why the NAT stages drop a packet (one counter each: {@code nat44-in2out.drop.<label>}). A
 * resource refusal ({@link #isResourceRefusal}) is counted here when its ICMP answer was
 * rate-limited away; an answered one is counted as the event
 * {@code refused-with-icmp.<label>} instead ({@code NatEvents}), since its frame leaves as the answer.
 *
 * <p>Threading: immutable enum.
 */
public enum NatDropReason implements DropReason {
    BAD_IPV4_HEADER("bad-ipv4-header"),
    TRUNCATED_L4("truncated-l4"),
    UNSUPPORTED_PROTOCOL("unsupported-protocol"),
    UNSUPPORTED_ICMP("unsupported-icmp"),
    /** Inbound packet to a public address with no session, mapping or forward (RFC 4787 §5 filtering). */
    NO_MAPPING("no-mapping"),
    /**
     * RFC 5382 REQ-4: an unsolicited inbound SYN; its frame is dropped at once and a record of it
     * held for 6 s (see {@code NatEvents.SYNS_HELD}).
     */
    UNSOLICITED_SYN("unsolicited-syn"),
    /** RFC 4787 REQ-8 address-dependent filtering refused an inbound packet. */
    FILTERED("filtered-address-dependent"),
    /** An ICMP query reply (or other non-initiating ICMP) with no session. */
    ICMP_QUERY_NO_SESSION("icmp-query-no-session"),
    /** RFC 5508: an ICMP error whose embedded packet matches no session is dropped. */
    ICMP_ERROR_NO_SESSION("icmp-error-no-session"),
    /**
     * A hairpinned later fragment, translated (or passed) going out by its first fragment's record,
     * for which the record the first fragment left for its way back in is missing (that record's
     * insert found the fragment table full, or the first fragment was dropped on its way back in):
     * it cannot be held, being half translated. Every other later fragment without its first
     * fragment's record is held ({@link #FRAGMENT_HELD}).
     */
    FRAGMENT_WITHOUT_FIRST("fragment-without-first"),
    /** RFC 6888 per-subscriber limit: the subscriber holds its maximum number of ports. */
    SUBSCRIBER_PORT_LIMIT("subscriber-port-limit"),
    /** Every port (or block) of the chosen external address is in use or on hold. */
    PORTS_EXHAUSTED("ports-exhausted"),
    /** The session table has no room: new flows are refused, no session is evicted. */
    SESSION_TABLE_FULL("session-table-full"),
    /** The mapping table has no room. */
    MAPPING_TABLE_FULL("mapping-table-full"),
    /** Another worker kept racing the same insert; the packet is dropped, its retransmission will do. */
    INSERT_CONTENDED("insert-contended"),
    /** An unsolicited inbound SYN found this worker's held-SYN table full: dropped, never answered. */
    UNSOLICITED_SYN_NOT_HELD("unsolicited-syn-not-held"),
    /**
     * RFC 5508 matches an ICMP error by the transport header it quotes; a quoted later fragment
     * (RFC 791) has none, so no session can be found for the error: dropped.
     */
    ICMP_ERROR_QUOTES_LATER_FRAGMENT("icmp-error-quotes-later-fragment"),
    /**
     * RFC 5508 REQ-3: an ICMP error whose ICMP checksum (over the message as received) or whose
     * embedded IPv4 header checksum does not verify is dropped, not translated: translating
     * recomputes both, which would pass the corruption on as a valid packet.
     */
    ICMP_ERROR_BAD_CHECKSUM("icmp-error-bad-checksum"),
    /** RFC 6888 REQ-5 per-subscriber state limit: the subscriber holds its maximum number of sessions. */
    SUBSCRIBER_SESSION_LIMIT("subscriber-session-limit"),
    /**
     * RFC 4787 REQ-14: a later fragment came before its first fragment's record existed; its bytes
     * are now held by the stage ({@code HeldFragments}) and its frame is released. Not a loss: the
     * fragment is counted again when it leaves the hold, as the event {@code fragments-released}
     * or as {@link #FRAGMENT_HOLD_EXPIRED} / {@link #FRAGMENT_RELEASE_NO_ROOM}.
     */
    FRAGMENT_HELD("fragment-held"),
    /**
     * A later fragment that would have been held found the stage's hold full (its record count or
     * its byte budget spent, or larger than a frame): dropped; no held fragment is evicted for it.
     */
    FRAGMENT_HOLD_FULL("fragment-hold-full"),
    /** A held later fragment whose first fragment did not come within the hold (2 s): dropped. */
    FRAGMENT_HOLD_EXPIRED("fragment-hold-expired"),
    /**
     * A held later fragment whose first fragment came, but every batch until its hold ended was
     * full or its worker's frame pool empty, so it could not be sent on: dropped.
     */
    FRAGMENT_RELEASE_NO_ROOM("fragment-release-no-room");

    private final String label;

    NatDropReason(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** True for the reasons that mean "resources ran out": the sender gets ICMP unreachable code 13. */
    public boolean isResourceRefusal() {
        return this == SUBSCRIBER_PORT_LIMIT || this == PORTS_EXHAUSTED || this == SESSION_TABLE_FULL
            || this == MAPPING_TABLE_FULL || this == SUBSCRIBER_SESSION_LIMIT;
    }

    private static final NatDropReason[] VALUES = values();

    /** The reason with {@code ordinal}. */
    public static NatDropReason of(int ordinal) {
        return VALUES[ordinal];
    }
}
