package io.softgate.acl.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A large index whose deeper nodes all lie in one VPC's range resolves addresses of that range
 * through its 24-bit window and every other address through its direct root: both must give the
 * linear scan's answer, at the window's first and last 24-bit starts and just outside them too,
 * one packet at a time and in batches.
 */
class DestinationWindowTest {
    private static final int BATCH = 64;

    @Test
    void shouldAgreeWithLinearScanInsideAtTheEdgesOfAndOutsideAnIpv4Window() {
        // 10.64.0.0/10: deeper nodes under the 16-bit starts 10.64 to 10.127.
        assertWindowAgrees(false, 0x0A40_0000_0000_0000L, 10, 0x7A11_0004L);
    }

    @Test
    void shouldAgreeWithLinearScanInsideAtTheEdgesOfAndOutsideAnIpv6Window() {
        // 2001:db8:4000::/34: every deeper node under the 16-bit start 2001.
        assertWindowAgrees(true, 0x2001_0DB8_4000_0000L, 34, 0x7A11_0006L);
    }

    @Test
    void shouldBuildNoWindowWhenDeeperNodesSpreadOverTheAddressSpace() {
        List<AclRule> rules = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 12_000; i++) {
            rules.add(AclRule.builder("r" + i, "vpc").priority(i).protocol(AclProtocol.TCP)
                .dstPrefix(IpPrefix.ipv4(random.nextInt(), 32)).dstPort(1 + random.nextInt(1000)).permit().build());
        }
        assertFalse(new PrefixClassifier(IpPrefix.IPV4, rules).hasDestinationWindow());
    }

    private static void assertWindowAgrees(boolean ipv6, long vpcHigh, int vpcLength, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int family = ipv6 ? IpPrefix.IPV6 : IpPrefix.IPV4;
        List<AclRule> rules = new ArrayList<>();
        int count = ipv6 ? 3_000 : 12_000;
        for (int i = 0; i < count; i++) {
            rules.add(rule(random, "r" + i, ipv6, vpcHigh, vpcLength));
        }
        rules.sort(AclCompiler.EVALUATION_ORDER);
        assertTrue(new PrefixClassifier(family, rules).hasDestinationWindow(), "the destination index has a window");
        VrfClassifier classifier = AclCompiler.compileVpc("vpc", 0, rules, AclAction.DENY);
        LinearReferenceClassifier reference = new LinearReferenceClassifier(rules);
        ClassifyBatch batch = new ClassifyBatch(BATCH);
        AclRule[] expectedInBatch = new AclRule[BATCH];
        long vpcMask = IpPrefix.maskHigh(vpcLength);
        // The window's span runs from the first to the last 16-bit start with deeper nodes.
        long firstStart = vpcHigh & 0xFFFF_0000_0000_0000L;
        long lastStart = (vpcHigh | ~vpcMask) & 0xFFFF_0000_0000_0000L;
        int matched = 0;
        for (int p = 0; p < 24_000; p++) {
            long dstHigh = switch (p % 6) {
                case 0, 1 -> inside(random, ipv6, rules.get(random.nextInt(rules.size())).dstPrefix(), vpcHigh, vpcLength);
                case 2 -> ipv4Only(ipv6, (vpcHigh & vpcMask) | (random.nextLong() & ~vpcMask));
                // The window's first and last 24-bit starts, and the starts just before and after it.
                case 3 -> ipv4Only(ipv6, edge(random, firstStart, lastStart));
                default -> ipv6 ? random.nextLong() : random.nextLong() & 0xFFFF_FFFF_0000_0000L;
            };
            long dstLow = ipv6 ? random.nextLong() : 0;
            long srcHigh = ipv6 ? random.nextLong() : random.nextLong() & 0xFFFF_FFFF_0000_0000L;
            long srcLow = ipv6 ? random.nextLong() : 0;
            int protocol = new int[] {6, 17, ipv6 ? 58 : 1, 47}[random.nextInt(4)];
            boolean icmp = protocol == 1 || protocol == 58;
            int srcPort = icmp ? 0 : random.nextInt(65536);
            int dstPort = icmp ? 0 : (random.nextBoolean() ? random.nextInt(1024) : random.nextInt(65536));
            int icmpType = icmp ? random.nextInt(4) * 8 : -1;
            boolean nonFirst = random.nextInt(16) == 0;
            AclRule expected = reference.firstMatch(ipv6, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort,
                dstPort, icmpType, nonFirst);
            matched += expected == null ? 0 : 1;
            int rank = classifier.classify(ipv6, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort, dstPort,
                icmpType, nonFirst);
            assertEquals(expected, rank < 0 ? null : classifier.rule(rank), "packet " + p);
            expectedInBatch[batch.add(ipv6, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort, dstPort, icmpType,
                nonFirst)] = expected;
            if (batch.isFull()) {
                classifier.classify(batch);
                for (int i = 0; i < batch.size(); i++) {
                    int batchRank = batch.rank(i);
                    assertEquals(expectedInBatch[i], batchRank < 0 ? null : classifier.rule(batchRank),
                        "batch packet " + i);
                }
                batch.clear();
            }
        }
        assertTrue(matched > 4_000, "packets that match a rule: " + matched);
    }

    /** A rule whose destination lies in the VPC (a host or a subnet), sometimes with a source prefix. */
    private static AclRule rule(SplittableRandom random, String name, boolean ipv6, long vpcHigh, int vpcLength) {
        int width = ipv6 ? 128 : 32;
        int length = random.nextInt(4) == 0 ? vpcLength + random.nextInt(width - vpcLength + 1) : width;
        if (ipv6 && length > 64) {
            length = random.nextBoolean() ? 64 : 128;
        }
        long high = (vpcHigh & IpPrefix.maskHigh(vpcLength)) | (random.nextLong() & ~IpPrefix.maskHigh(vpcLength));
        long low = ipv6 ? random.nextLong() : 0;
        IpPrefix dst = ipv6 ? IpPrefix.ipv6(high & IpPrefix.maskHigh(length), low & IpPrefix.maskLow(length), length)
            : IpPrefix.ipv4((int) (high >>> 32) & (int) (-1L << (32 - length)), length);
        AclRule.Builder builder = AclRule.builder(name, "vpc").priority(random.nextInt(1000)).dstPrefix(dst)
            .action(random.nextBoolean() ? AclAction.PERMIT : AclAction.DENY);
        if (random.nextInt(4) == 0) {
            int srcLength = random.nextInt(width / 2);
            long srcHigh = random.nextLong() & IpPrefix.maskHigh(srcLength);
            builder.srcPrefix(ipv6 ? IpPrefix.ipv6(srcHigh, 0, srcLength)
                : IpPrefix.ipv4((int) (srcHigh >>> 32), srcLength));
        }
        switch (random.nextInt(4)) {
            case 0 -> builder.protocol(AclProtocol.TCP).dstPort(random.nextInt(1024));
            case 1 -> {
                int from = random.nextInt(65536);
                builder.protocol(AclProtocol.UDP).dstPorts(from, from + random.nextInt(65536 - from));
            }
            case 2 -> builder.protocol(ipv6 ? AclProtocol.ICMPV6 : AclProtocol.ICMP).icmpType(random.nextInt(4) * 8);
            default -> builder.protocol(AclProtocol.ALL);
        }
        return builder.build();
    }

    /** A random address inside {@code prefix} (the VPC when the rule has none). */
    private static long inside(SplittableRandom random, boolean ipv6, IpPrefix prefix, long vpcHigh, int vpcLength) {
        long high = prefix == null ? vpcHigh : prefix.high();
        int length = prefix == null ? vpcLength : prefix.length();
        return ipv4Only(ipv6, high | (random.nextLong() & ~IpPrefix.maskHigh(length)));
    }

    /** An IPv4 address lives in the top 32 bits of the high word: the rest must be zero. */
    private static long ipv4Only(boolean ipv6, long high) {
        return ipv6 ? high : high & 0xFFFF_FFFF_0000_0000L;
    }

    /** An address in the first or last 24-bit start of the span, or in the one before or after it. */
    private static long edge(SplittableRandom random, long firstStart, long lastStart) {
        long step = 1L << 40;
        long start = switch (random.nextInt(4)) {
            case 0 -> firstStart;
            case 1 -> firstStart - step;
            case 2 -> lastStart + 0xFF * step;
            default -> lastStart + 0x100 * step;
        };
        return start | (random.nextLong() & (step - 1));
    }
}
