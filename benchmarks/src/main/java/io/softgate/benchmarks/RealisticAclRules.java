package io.softgate.benchmarks;

import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tenant-like ACL of any size: mostly "anyone to this VM's service port" rules, subnet-to-
 * subnet port ranges, blocklisted sources, whole-subnet rules and ICMP types, with priorities
 * in the order they were written; plus 64-byte IPv4 packets aimed at those rules or at nothing.
 *
 * <p>Threading: confined to the benchmark setup thread.
 */
final class RealisticAclRules {
    private static final int[] SERVICE_PORTS = {22, 25, 53, 80, 110, 123, 143, 443, 993, 3306, 5432, 6379, 8080, 8443, 9090};

    private RealisticAclRules() {
    }

    /** {@code count} rules of VPC {@code vpc} from a fixed seed. */
    static List<AclRule> rules(int count, String vpc, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<AclRule> rules = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            AclRule.Builder rule = AclRule.builder("rule-" + i, vpc).priority(i);
            int kind = random.nextInt(100);
            if (kind < 55) {
                // Anyone to one VM's service port.
                rule.protocol(random.nextBoolean() ? AclProtocol.TCP : AclProtocol.UDP)
                    .dstPrefix(IpPrefix.ipv4(vmAddress(random), 32))
                    .dstPort(servicePort(random)).permit().established(true);
            } else if (kind < 70) {
                // A partner network to a VPC subnet, a port range.
                int low = 1024 + random.nextInt(40000);
                rule.protocol(AclProtocol.TCP)
                    .srcPrefix(IpPrefix.ipv4(publicAddress(random), 16 + random.nextInt(9)))
                    .dstPrefix(IpPrefix.ipv4(vmAddress(random), 24))
                    .dstPorts(low, low + random.nextInt(2000)).permit().reverse(true);
            } else if (kind < 82) {
                // A blocklisted source.
                rule.srcPrefix(IpPrefix.ipv4(publicAddress(random), 32 - random.nextInt(8))).deny();
            } else if (kind < 94) {
                // A whole subnet, any protocol, from a management range.
                rule.srcPrefix(IpPrefix.ipv4(0xC0A8_0000 | random.nextInt(1 << 16), 24))
                    .dstPrefix(IpPrefix.ipv4(vmAddress(random), 24 + random.nextInt(5))).permit();
            } else {
                rule.protocol(AclProtocol.ICMP).dstPrefix(IpPrefix.ipv4(vmAddress(random), 24))
                    .icmpType(random.nextBoolean() ? 8 : 0).permit();
            }
            rules.add(rule.build());
        }
        return rules;
    }

    static int vmAddress(SplittableRandom random) {
        return 0x0A00_0000 | random.nextInt(1 << 22);
    }

    static int publicAddress(SplittableRandom random) {
        return 0x2000_0000 + (int) random.nextLong(0x9000_0000L);
    }

    static int servicePort(SplittableRandom random) {
        return random.nextInt(4) == 0 ? 1024 + random.nextInt(60000) : SERVICE_PORTS[random.nextInt(SERVICE_PORTS.length)];
    }

    /**
     * One IPv4 packet's (source, destination, protocol, source port, destination port): half aimed
     * at a random rule (inside its prefixes and ports), half random traffic into the VPC.
     */
    static int[] packetFields(List<AclRule> rules, SplittableRandom random) {
        int source = publicAddress(random);
        int destination = vmAddress(random);
        int protocol = random.nextInt(10) == 0 ? 17 : 6;
        int sourcePort = 1024 + random.nextInt(60000);
        int destinationPort = servicePort(random);
        if (random.nextBoolean()) {
            AclRule rule = rules.get(random.nextInt(rules.size()));
            if (rule.srcPrefix() != null) {
                source = inside(rule.srcPrefix(), random);
            }
            if (rule.dstPrefix() != null) {
                destination = inside(rule.dstPrefix(), random);
            }
            if (rule.protocol().ipProtocol() >= 0) {
                protocol = rule.protocol().ipProtocol();
            }
            destinationPort = rule.dstPortFrom() + random.nextInt(rule.dstPortTo() - rule.dstPortFrom() + 1);
            if (protocol == 1) {
                destinationPort = 0;
                sourcePort = 0;
            }
        }
        return new int[] {source, destination, protocol, sourcePort, destinationPort};
    }

    private static int inside(IpPrefix prefix, SplittableRandom random) {
        int base = (int) (prefix.high() >>> 32);
        int hostBits = 32 - prefix.length();
        return hostBits == 0 ? base : base | (random.nextInt() >>> prefix.length());
    }
}
