package io.softgate.acl.classify;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.List;

/**
 * One VPC's rules in evaluation order ("rank" = position), flattened into a long array so that
 * checking one rule against a packet touches one or two cache lines and allocates nothing.
 *
 * <p>Threading: immutable after construction; read by any number of workers.
 */
public final class CompiledRules {
    /** Rule flag: the rule permits (otherwise it denies). */
    public static final int FLAG_PERMIT = 1;
    /** Rule flag: the rule looks at ports or the ICMP type. */
    public static final int FLAG_LAYER4 = 1 << 1;
    /** Rule flag: return traffic of TCP flows it permits passes (ACK/RST segments only). */
    public static final int FLAG_ESTABLISHED = 1 << 2;
    /** Rule flag: return traffic of any flow it permits passes. */
    public static final int FLAG_REVERSE = 1 << 3;

    private static final int STRIDE = 10;
    private static final int SRC_HIGH = 0;
    private static final int SRC_LOW = 1;
    private static final int SRC_MASK_HIGH = 2;
    private static final int SRC_MASK_LOW = 3;
    private static final int DST_HIGH = 4;
    private static final int DST_LOW = 5;
    private static final int DST_MASK_HIGH = 6;
    private static final int DST_MASK_LOW = 7;
    private static final int PORTS = 8;
    private static final int MISC = 9;

    private final long[] words;
    private final int count;

    CompiledRules(List<AclRule> ordered) {
        this.count = ordered.size();
        this.words = new long[count * STRIDE];
        for (int rank = 0; rank < count; rank++) {
            AclRule rule = ordered.get(rank);
            int base = rank * STRIDE;
            putPrefix(base + SRC_HIGH, rule.srcPrefix());
            putPrefix(base + DST_HIGH, rule.dstPrefix());
            words[base + PORTS] = ((long) rule.srcPortFrom() << 48) | ((long) rule.srcPortTo() << 32)
                | ((long) rule.dstPortFrom() << 16) | rule.dstPortTo();
            int flags = (rule.action() == AclAction.PERMIT ? FLAG_PERMIT : 0)
                | (rule.hasLayer4Condition() ? FLAG_LAYER4 : 0)
                | (rule.established() ? FLAG_ESTABLISHED : 0)
                | (rule.reverse() ? FLAG_REVERSE : 0);
            words[base + MISC] = (rule.protocol().ipProtocol() & 0xFFFFL)
                | ((rule.icmpType() & 0xFFFFL) << 16) | ((long) flags << 32);
        }
    }

    private void putPrefix(int at, IpPrefix prefix) {
        if (prefix == null) {
            return;
        }
        words[at] = prefix.high();
        words[at + 1] = prefix.low();
        words[at + 2] = IpPrefix.maskHigh(prefix.length());
        words[at + 3] = IpPrefix.maskLow(prefix.length());
    }

    public int count() {
        return count;
    }

    /** The {@code FLAG_*} bits of rule {@code rank}. */
    public int flags(int rank) {
        return (int) (words[rank * STRIDE + MISC] >>> 32);
    }

    /**
     * True when rule {@code rank} matches the packet. A non-first fragment carries no layer-4
     * header: a rule with layer-4 conditions then matches only if it permits (the first fragment
     * was checked against the ports), and a deny rule with layer-4 conditions never matches it.
     */
    public boolean matches(int rank, long srcHigh, long srcLow, long dstHigh, long dstLow,
                           int protocol, int srcPort, int dstPort, int icmpType, boolean nonFirstFragment) {
        int base = rank * STRIDE;
        long[] w = words;
        if ((dstHigh & w[base + DST_MASK_HIGH]) != w[base + DST_HIGH]
            || (dstLow & w[base + DST_MASK_LOW]) != w[base + DST_LOW]
            || (srcHigh & w[base + SRC_MASK_HIGH]) != w[base + SRC_HIGH]
            || (srcLow & w[base + SRC_MASK_LOW]) != w[base + SRC_LOW]) {
            return false;
        }
        long misc = w[base + MISC];
        int ruleProtocol = (short) misc;
        if (ruleProtocol >= 0 && ruleProtocol != protocol) {
            return false;
        }
        int flags = (int) (misc >>> 32);
        if ((flags & FLAG_LAYER4) == 0) {
            return true;
        }
        if (nonFirstFragment) {
            return (flags & FLAG_PERMIT) != 0;
        }
        long ports = w[base + PORTS];
        if (srcPort < (int) (ports >>> 48) || srcPort > ((int) (ports >>> 32) & 0xFFFF)
            || dstPort < ((int) (ports >>> 16) & 0xFFFF) || dstPort > ((int) ports & 0xFFFF)) {
            return false;
        }
        int ruleIcmpType = (short) (misc >>> 16);
        return ruleIcmpType < 0 || ruleIcmpType == icmpType;
    }
}
