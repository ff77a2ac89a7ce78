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
    public static final int HAIRPINNED = 2;
    public static final int ICMP_ERRORS_TRANSLATED = 3;
    public static final int ICMP_UNREACHABLE_SENT = 4;
    public static final int FRAGMENTS_TRANSLATED = 5;
    public static final int MSS_CLAMPED = 6;
    /** New flows refused for lack of resources and answered with ICMP unreachable code 13. */
    public static final int REFUSED_WITH_ICMP = 7;
    public static final int IPV6_PASSED = 8;

    public static final List<String> NAMES = List.of("sessions-created", "passed-untranslated", "hairpinned",
        "icmp-errors-translated", "icmp-unreachable-sent", "fragments-translated", "mss-clamped",
        "refused-with-icmp", "ipv6-passed");

    private NatEvents() {
    }
}
