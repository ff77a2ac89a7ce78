package io.softgate.nat.stage;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.compile.CompiledRule;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.session.TcpStates;

/**
 * What a NAT stage decided for a traced packet, in the two words a packet trace keeps per stage
 * ({@code StageContext.decide(slot, decision, detail)}), and their reading for the trace result.
 * The stages fill them in only for packets marked {@code PacketFlags.TRACE}, so untraced packets
 * pay nothing.
 *
 * <pre>
 * decision: kind (bits 60-63) | destination rewritten (59) | argument (32-58) | old port (16-31) | new port (0-15)
 * detail:   old address (32-63) | new address (0-31)
 * </pre>
 * The argument is the TCP state ({@link #SESSION_HIT}), the rule's id in the {@link NatTables}
 * ({@link #SESSION_CREATED}, {@link #EXCLUDED}; see {@link NatTables#ruleId}), a
 * {@link NatDropReason} ordinal ({@link #DROPPED}, {@link #REFUSED_ANSWERED}) or a
 * {@code PASS_*} code ({@link #PASSED}). "Old" and "new" are the translated side's address and
 * port (ICMP identifier) before and after the stage: the source for a packet leaving a VPC, the
 * destination for one coming in. A packet hairpinned in {@code nat44-in2out} (RFC 4787 REQ-9)
 * shows its inbound half: the session that took it to the VM it reached. Kind 8 is never used, so
 * no decision equals the tracer's {@code NO_DECISION} ({@code Long.MIN_VALUE}).
 *
 * <p>Threading: stateless static functions.
 */
public final class NatTraceDecision {
    /** An established session's rewrite was applied. */
    public static final int SESSION_HIT = 1;
    /** The slow path created the session (by the rule named in the argument) and applied it. */
    public static final int SESSION_CREATED = 2;
    /** No NAT applied; the packet went on unchanged (the argument says why: {@code PASS_*}). */
    public static final int PASSED = 3;
    /** An ACCEPT_SNAT exclusion rule (the argument) matched: the packet went on unchanged. */
    public static final int EXCLUDED = 4;
    /** Dropped for the {@link NatDropReason} in the argument. */
    public static final int DROPPED = 5;
    /** No session could be made (the reason in the argument): answered with ICMP unreachable code 13. */
    public static final int REFUSED_ANSWERED = 6;
    /** An ICMP error translated by the session of the packet it quotes (new address and port shown). */
    public static final int ICMP_ERROR_TRANSLATED = 7;
    /** A later fragment that followed its first fragment's rewrite. */
    public static final int FRAGMENT_FOLLOWED = 9;
    /** An inbound session created on an existing endpoint-independent mapping (RFC 4787 REQ-1; no rule). */
    public static final int SESSION_CREATED_ON_MAPPING = 10;

    /** {@link #PASSED} argument: no NAT rule matched the packet leaving its VPC. */
    public static final int PASS_NO_RULE = 0;
    /** {@link #PASSED} argument: the destination is not one of the NAT's public addresses. */
    public static final int PASS_NOT_NAT_ADDRESS = 1;
    /** {@link #PASSED} argument: IPv6, which the NAT44 stages do not translate. */
    public static final int PASS_IPV6 = 2;
    /** {@link #PASSED} argument: a later fragment whose first fragment passed untranslated (RFC 4787 REQ-14). */
    public static final int PASS_FIRST_FRAGMENT_PASSED = 3;

    private static final int KIND_SHIFT = 60;
    private static final long FLAG_DESTINATION = 1L << 59;
    private static final int ARGUMENT_SHIFT = 32;
    private static final long ARGUMENT_MASK = (1L << 27) - 1;

    private NatTraceDecision() {
    }

    /** The decision word of {@code kind} with {@code argument} and the translated side's ports. */
    public static long decision(int kind, boolean destination, long argument, int oldPort, int newPort) {
        return (long) kind << KIND_SHIFT | (destination ? FLAG_DESTINATION : 0)
            | (argument & ARGUMENT_MASK) << ARGUMENT_SHIFT | (long) (oldPort & 0xFFFF) << 16 | (newPort & 0xFFFF);
    }

    /** The detail word: the translated side's address before and after. */
    public static long detail(int oldAddress, int newAddress) {
        return (long) oldAddress << 32 | (newAddress & 0xFFFF_FFFFL);
    }

    public static int kind(long decision) {
        return (int) (decision >>> KIND_SHIFT);
    }

    public static int argument(long decision) {
        return (int) (decision >>> ARGUMENT_SHIFT & ARGUMENT_MASK);
    }

    public static boolean destination(long decision) {
        return (decision & FLAG_DESTINATION) != 0;
    }

    public static int oldPort(long decision) {
        return (int) (decision >>> 16) & 0xFFFF;
    }

    public static int newPort(long decision) {
        return (int) decision & 0xFFFF;
    }

    public static int oldAddress(long detail) {
        return (int) (detail >>> 32);
    }

    public static int newAddress(long detail) {
        return (int) detail;
    }

    /**
     * The decision in words, e.g. {@code "session created by rule blue/out: source 10.0.0.5:4000 ->
     * 198.51.100.7:40001"}; rule ids are read in {@code tables} (the current ones: after a
     * configuration change the id may name another rule, or none); null for a word no NAT stage writes.
     */
    public static String describe(long decision, long detail, NatTables tables) {
        int argument = argument(decision);
        switch (kind(decision)) {
            case SESSION_HIT:
                return "session hit: " + rewrite(decision, detail) + (argument == TcpStates.NONE ? ""
                    : " (tcp state " + argument + ")");
            case SESSION_CREATED:
                return "session created by rule " + ruleName(tables, argument) + ": " + rewrite(decision, detail);
            case SESSION_CREATED_ON_MAPPING:
                return "session created on the endpoint-independent mapping: " + rewrite(decision, detail);
            case EXCLUDED:
                return "not translated: exclusion rule " + ruleName(tables, argument);
            case PASSED:
                return argument == PASS_NO_RULE ? "not translated: no NAT rule matches"
                    : argument == PASS_NOT_NAT_ADDRESS ? "not translated: destination is not a NAT address"
                    : argument == PASS_IPV6 ? "not translated: IPv6"
                    : argument == PASS_FIRST_FRAGMENT_PASSED ? "not translated: its first fragment was not"
                    : "not translated";
            case DROPPED:
                return "dropped: " + reasonLabel(argument);
            case REFUSED_ANSWERED:
                return "refused (" + reasonLabel(argument) + "), answered with ICMP unreachable code 13";
            case ICMP_ERROR_TRANSLATED:
                return "ICMP error translated by the session of the quoted packet: " + rewrite(decision, detail);
            case FRAGMENT_FOLLOWED:
                return "later fragment followed its first fragment: " + (destination(decision) ? "destination "
                    : "source ") + Ipv4Flyweight.format(oldAddress(detail)) + " -> "
                    + Ipv4Flyweight.format(newAddress(detail));
            default:
                return null;
        }
    }

    private static String rewrite(long decision, long detail) {
        return (destination(decision) ? "destination " : "source ") + Ipv4Flyweight.format(oldAddress(detail)) + ":"
            + oldPort(decision) + " -> " + Ipv4Flyweight.format(newAddress(detail)) + ":" + newPort(decision);
    }

    private static String ruleName(NatTables tables, int id) {
        CompiledRule rule = tables == null ? null : tables.ruleById(id);
        return rule == null ? "#" + id : rule.vpc + "/" + rule.name;
    }

    private static String reasonLabel(int ordinal) {
        return ordinal >= 0 && ordinal < NatDropReason.values().length ? NatDropReason.of(ordinal).label()
            : "#" + ordinal;
    }
}
