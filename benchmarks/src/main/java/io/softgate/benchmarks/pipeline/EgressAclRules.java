package io.softgate.benchmarks.pipeline;

import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tenant-like egress ACL (VMs to the internet) of any size, the same shape in every VPC: half
 * "this VM may reach that network on a service port", a fifth "this subnet may reach that
 * network on a port range", blocklisted destinations (denied, in 100.64.0.0/10 where the
 * benchmark traffic never goes), and whole-subnet permits. Also the destinations the permit rules
 * name, so traffic can be aimed at them.
 *
 * <p>Threading: immutable once built.
 */
public final class EgressAclRules {
    /** VMs of every VPC live in 10.0.1.0 - 10.0.16.255 (4,096 addresses). */
    public static final int VM_BASE = 0x0A00_0100;
    public static final int VM_COUNT = 4096;
    private static final int[] SERVICE_PORTS = {22, 53, 80, 123, 443, 993, 3306, 5432, 6379, 8080, 8443};

    private final int count;
    private final long seed;
    private final int[] targetAddress;
    private final int[] targetLength;
    private final int targetCount;

    public EgressAclRules(int count, long seed) {
        this.count = count;
        this.seed = seed;
        List<AclRule> sample = rules("sample");
        int[] addresses = new int[count];
        int[] lengths = new int[count];
        int targets = 0;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            Rule rule = draw(random);
            if (rule.permit) {
                addresses[targets] = rule.dstAddress;
                lengths[targets] = rule.dstLength;
                targets++;
            }
        }
        if (sample.size() != count) {
            throw new IllegalStateException("rule generator out of step");
        }
        this.targetAddress = addresses;
        this.targetLength = lengths;
        this.targetCount = targets;
    }

    /** The rules of VPC {@code vpc} (every VPC gets the same shape from the same seed). */
    public List<AclRule> rules(String vpc) {
        SplittableRandom random = new SplittableRandom(seed);
        List<AclRule> rules = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Rule drawn = draw(random);
            AclRule.Builder rule = AclRule.builder("r" + i, vpc).priority(i).protocol(drawn.protocol)
                .dstPrefix(IpPrefix.ipv4(drawn.dstAddress, drawn.dstLength));
            if (drawn.srcLength > 0) {
                rule.srcPrefix(IpPrefix.ipv4(drawn.srcAddress, drawn.srcLength));
            }
            if (drawn.portFrom >= 0) {
                rule.dstPorts(drawn.portFrom, drawn.portTo);
            }
            if (drawn.permit) {
                rule.permit().reverse(true);
            } else {
                rule.deny();
            }
            rules.add(rule.build());
        }
        return rules;
    }

    /** Number of permit rules with a destination traffic can aim at. */
    public int targetCount() {
        return targetCount;
    }

    /** A destination address inside permit rule target {@code target}'s prefix. */
    public int targetAddress(int target, SplittableRandom random) {
        int length = targetLength[target];
        int hostBits = length == 32 ? 0 : (int) (random.nextLong() & ((1L << (32 - length)) - 1));
        return targetAddress[target] | hostBits;
    }

    /** A public address that no blocklist rule covers (1.0.0.0 - 99.255.255.255). */
    public static int publicAddress(SplittableRandom random) {
        return ((1 + random.nextInt(99)) << 24) | random.nextInt(1 << 24);
    }

    private static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    private static Rule draw(SplittableRandom random) {
        Rule rule = new Rule();
        int kind = random.nextInt(100);
        int vm = VM_BASE + random.nextInt(VM_COUNT);
        if (kind < 50) {
            rule.protocol = random.nextBoolean() ? AclProtocol.TCP : AclProtocol.UDP;
            rule.srcAddress = vm;
            rule.srcLength = 32;
            rule.dstLength = 16 + random.nextInt(9);
            int port = SERVICE_PORTS[random.nextInt(SERVICE_PORTS.length)];
            rule.portFrom = port;
            rule.portTo = port;
            rule.permit = true;
        } else if (kind < 70) {
            rule.protocol = AclProtocol.TCP;
            rule.srcAddress = vm & mask(24);
            rule.srcLength = 24;
            rule.dstLength = 8 + random.nextInt(9);
            rule.portFrom = 1024 + random.nextInt(40000);
            rule.portTo = rule.portFrom + random.nextInt(2000);
            rule.permit = true;
        } else if (kind < 85) {
            rule.protocol = AclProtocol.ALL;
            rule.dstLength = 24 + random.nextInt(9);
            rule.dstAddress = (0x6440_0000 | random.nextInt(1 << 22)) & mask(rule.dstLength);
            rule.portFrom = -1;
            rule.permit = false;
            return rule;
        } else {
            rule.protocol = AclProtocol.ALL;
            rule.srcAddress = vm & mask(24);
            rule.srcLength = 24;
            rule.dstLength = 16;
            rule.portFrom = -1;
            rule.permit = true;
        }
        rule.dstAddress = publicAddress(random) & mask(rule.dstLength);
        return rule;
    }

    /** One drawn rule before it becomes an {@link AclRule}. */
    private static final class Rule {
        AclProtocol protocol;
        int srcAddress;
        int srcLength;
        int dstAddress;
        int dstLength;
        int portFrom;
        int portTo;
        boolean permit;
    }
}
