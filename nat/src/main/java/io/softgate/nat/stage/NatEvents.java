package io.softgate.nat.stage;

import java.util.List;

/**
 * Event counters of the NAT stages ({@code <stage>.<name>}); index = event id.
 *
 * <p>Threading: constants only.
 */
public final class NatEvents {
    public static final int SESSIONS_CREATED = 0;
    /** Packets no NAT rule applies to (ACCEPT_SNAT, no rule, not our address), forwarded unchanged. */
    public static final int PASSED_UNTRANSLATED = 1;
    /**
     * RFC 4787 REQ-9: packets from a VPC to one of the NAT's public addresses, sent back in through
     * the out2in translation (source-translated first, or not when no source rule applies).
     */
    public static final int HAIRPINNED = 2;
    public static final int ICMP_ERRORS_TRANSLATED = 3;
    public static final int ICMP_UNREACHABLE_SENT = 4;
    public static final int FRAGMENTS_TRANSLATED = 5;
    public static final int MSS_CLAMPED = 6;
    /** New flows refused for lack of resources and answered with ICMP unreachable code 13. */
    public static final int REFUSED_WITH_ICMP = 7;
    public static final int IPV6_PASSED = 8;
    /** RFC 5382 REQ-4: unsolicited inbound SYNs held for 6 s (as records; their frames dropped). */
    public static final int SYNS_HELD = 9;
    /** Held SYNs discarded silently because an outbound SYN for the connection came during the hold. */
    public static final int HELD_SYNS_DISCARDED = 10;
    /** Held SYNs answered with ICMP port unreachable after the hold (also counted in icmp-unreachable-sent). */
    public static final int HELD_SYNS_ANSWERED = 11;
    /** Held SYNs forgotten unanswered: answering is off, rate-limited, or no batch slot or frame was free. */
    public static final int HELD_SYNS_DROPPED = 12;
    /**
     * First of the per-reason splits of {@link #REFUSED_WITH_ICMP}, one per resource refusal
     * ({@link #refusedWithIcmp}): which resource ran out for the flows that were answered, as the
     * drop counters tell it for the flows whose answer was rate-limited away.
     */
    private static final int REFUSED_WITH_ICMP_BY_REASON = 13;
    /**
     * RFC 4787 REQ-14: held later fragments sent on once their first fragment's record existed
     * (each also counted as any later fragment is: {@link #FRAGMENTS_TRANSLATED} when translated,
     * {@link #PASSED_UNTRANSLATED} when its first fragment passed untranslated).
     */
    public static final int FRAGMENTS_RELEASED = 18;

    public static final List<String> NAMES = List.of("sessions-created", "passed-untranslated", "hairpinned",
        "icmp-errors-translated", "icmp-unreachable-sent", "fragments-translated", "mss-clamped",
        "refused-with-icmp", "ipv6-passed", "unsolicited-syns-held", "held-syns-discarded", "held-syns-answered",
        "held-syns-dropped", "refused-with-icmp.subscriber-port-limit", "refused-with-icmp.ports-exhausted",
        "refused-with-icmp.session-table-full", "refused-with-icmp.mapping-table-full",
        "refused-with-icmp.subscriber-session-limit", "fragments-released");

    private NatEvents() {
    }

    /** The event id of a refusal for {@code reason} answered with ICMP; {@code reason} must be a resource refusal. */
    static int refusedWithIcmp(NatDropReason reason) {
        return switch (reason) {
            case SUBSCRIBER_PORT_LIMIT -> REFUSED_WITH_ICMP_BY_REASON;
            case PORTS_EXHAUSTED -> REFUSED_WITH_ICMP_BY_REASON + 1;
            case SESSION_TABLE_FULL -> REFUSED_WITH_ICMP_BY_REASON + 2;
            case MAPPING_TABLE_FULL -> REFUSED_WITH_ICMP_BY_REASON + 3;
            case SUBSCRIBER_SESSION_LIMIT -> REFUSED_WITH_ICMP_BY_REASON + 4;
            default -> throw new IllegalArgumentException("not a resource refusal: " + reason);
        };
    }
}
