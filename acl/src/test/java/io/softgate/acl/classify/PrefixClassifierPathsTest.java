package io.softgate.acl.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Each family's classifier has two paths (leaf-pushed indexes, fallback trie) that must each give
 * the linear scan's answer: with no nesting allowed, every nested prefix is forced onto the
 * fallback trie. Both node forms (compressed, dense) must too.
 */
class PrefixClassifierPathsTest {
    @Test
    void shouldAgreeWithLinearScanWhenNestedIpv4PrefixesFallBackToTheTrie() {
        assertPathsAgree(IpPrefix.IPV4, 0xFA11_BAC4L);
    }

    @Test
    void shouldAgreeWithLinearScanWhenNestedIpv6PrefixesFallBackToTheTrie() {
        assertPathsAgree(IpPrefix.IPV6, 0xFA11_BAC6L);
    }

    private static void assertPathsAgree(int family, long seed) {
        RandomAcl random = new RandomAcl(seed);
        boolean ipv6 = family == IpPrefix.IPV6;
        int fallbackRules = 0;
        int cases = 0;
        for (int set = 0; set < 60; set++) {
            List<AclRule> rules = new ArrayList<>(random.rules(set % 2 == 0 ? 50 : 400, "vpc"));
            rules.sort(AclCompiler.EVALUATION_ORDER);
            PrefixClassifier classifier = new PrefixClassifier(family, rules, 0);
            CompiledRules compiled = new CompiledRules(rules);
            LinearReferenceClassifier reference = new LinearReferenceClassifier(rules);
            fallbackRules += classifier.remainderRules();
            for (int p = 0; p < 600; p++) {
                long[] packet = random.packet();
                if ((packet[0] == 1) != ipv6) {
                    continue;
                }
                AclRule expected = reference.firstMatch(ipv6, packet[1], packet[2], packet[3], packet[4],
                    (int) packet[5], (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
                int rank = classifier.lookup(compiled, packet[1], packet[2], packet[3], packet[4], (int) packet[5],
                    (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
                assertEquals(expected, rank < 0 ? null : rules.get(rank), "set " + set + " packet " + p);
                cases++;
            }
        }
        assertTrue(fallbackRules > 1000, "fallback rules: " + fallbackRules);
        assertTrue(cases > 10_000, "cases: " + cases);
    }

    @Test
    void shouldListPrefixlessRulesApartAndIndexTheOthers() {
        List<AclRule> rules = List.of(
            AclRule.builder("any", "vpc").priority(1).deny().build(),
            AclRule.builder("host", "vpc").priority(2).dstPrefix(IpPrefix.ipv4(0x0A00_0001, 32)).permit().build(),
            AclRule.builder("source", "vpc").priority(3).srcPrefix(IpPrefix.ipv4(0xC0A8_0000, 16)).permit().build(),
            AclRule.builder("v6-host", "vpc").priority(4).dstPrefix("2001:db8::5/128").permit().build());
        assertEquals(0, new PrefixClassifier(IpPrefix.IPV4, rules).remainderRules());
        assertEquals(0, new PrefixClassifier(IpPrefix.IPV6, rules).remainderRules());
    }

    @Test
    void shouldWalkAnIpv6HostRouteInAtMostSixteenNodes() {
        List<AclRule> rules = List.of(
            AclRule.builder("v6-host", "vpc").dstPrefix("2001:db8::5/128").permit().build(),
            AclRule.builder("v6-net", "vpc").dstPrefix("2001:db8::/32").deny().build());
        PrefixClassifier classifier = new PrefixClassifier(IpPrefix.IPV6, rules);
        assertEquals(0, classifier.remainderRules());
        assertEquals(16, classifier.maxDepth());
    }

    @Test
    void shouldAgreeWithLinearScanWhenIpv4NodesAreDense() {
        assertDenseNodesAgree(IpPrefix.IPV4, 0xDE45E4L);
    }

    @Test
    void shouldAgreeWithLinearScanWhenIpv6NodesAreDense() {
        assertDenseNodesAgree(IpPrefix.IPV6, 0xDE45E6L);
    }

    /**
     * Hundreds of host rules in one last-level block of each index (destination hosts, and source
     * hosts whose destination prefix is shorter), under covering and overlapping shorter
     * prefixes: those blocks become dense nodes. Every packet into the blocks is checked alone and
     * in batches.
     */
    private static void assertDenseNodesAgree(int family, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean ipv6 = family == IpPrefix.IPV6;
        List<AclRule> rules = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            AclRule.Builder rule = AclRule.builder("r" + i, "vpc").priority(random.nextInt(50))
                .action(random.nextBoolean() ? AclAction.PERMIT : AclAction.DENY);
            int kind = random.nextInt(10);
            AclProtocol protocol = random.nextBoolean() ? AclProtocol.TCP : AclProtocol.UDP;
            if (kind < 5) {
                int from = 20 + random.nextInt(10);
                rule.protocol(protocol)
                    .dstPrefix(denseBlockPrefix(family, 0, random.nextInt(256), 8 - random.nextInt(2)))
                    .dstPorts(from, from + random.nextInt(10));
            } else if (kind < 8) {
                int from = 20 + random.nextInt(10);
                rule.protocol(protocol).srcPrefix(denseBlockPrefix(family, 1, random.nextInt(256), 8))
                    .dstPrefix(denseBlockPrefix(family, 0, 0, random.nextInt(5)))
                    .srcPorts(from, from + random.nextInt(10));
            } else {
                rule.dstPrefix(denseBlockPrefix(family, 0, random.nextInt(256), 4 + random.nextInt(5)))
                    .srcPrefix(random.nextBoolean() ? null
                        : denseBlockPrefix(family, 1, random.nextInt(256), random.nextInt(9)));
            }
            rules.add(rule.build());
        }
        VrfClassifier classifier = AclCompiler.compileVpc("vpc", 0, rules, AclAction.DENY);
        LinearReferenceClassifier reference = new LinearReferenceClassifier(rules);
        assertTrue(classifier.indexDenseNodes(ipv6) >= 2, "dense nodes: " + classifier.indexDenseNodes(ipv6));
        ClassifyBatch batch = new ClassifyBatch(64);
        AclRule[] expectedInBatch = new AclRule[64];
        int matched = 0;
        for (int p = 0; p < 20_000; p++) {
            long[] src = denseBlockAddress(family, 1, random.nextInt(256));
            long[] dst = denseBlockAddress(family, 0, random.nextInt(256));
            int protocol = random.nextBoolean() ? 6 : 17;
            int srcPort = 20 + random.nextInt(20);
            int dstPort = 20 + random.nextInt(20);
            AclRule expected = reference.firstMatch(ipv6, src[0], src[1], dst[0], dst[1], protocol, srcPort, dstPort,
                -1, false);
            int rank = classifier.classify(ipv6, src[0], src[1], dst[0], dst[1], protocol, srcPort, dstPort, -1, false);
            assertEquals(expected, rank < 0 ? null : classifier.rule(rank), "packet " + p);
            matched += expected != null ? 1 : 0;
            expectedInBatch[batch.add(ipv6, src[0], src[1], dst[0], dst[1], protocol, srcPort, dstPort, -1, false)] =
                expected;
            if (batch.isFull()) {
                classifier.classify(batch);
                for (int i = 0; i < batch.size(); i++) {
                    int batchRank = batch.rank(i);
                    assertEquals(expectedInBatch[i], batchRank < 0 ? null : classifier.rule(batchRank),
                        "batch packet " + i + " before packet " + p);
                }
                batch.clear();
            }
        }
        assertTrue(matched > 2_000 && matched < 18_000, "matched " + matched);
    }

    /** The prefix of the block's length plus {@code lastByteBits} holding host {@code host} of {@code block}. */
    private static IpPrefix denseBlockPrefix(int family, int block, int host, int lastByteBits) {
        long[] address = denseBlockAddress(family, block, host);
        int blockLength = family == IpPrefix.IPV4 ? 24 : 120;
        int length = blockLength + lastByteBits;
        if (family == IpPrefix.IPV4) {
            return IpPrefix.ipv4((int) (address[0] >>> 32) & (int) (-1L << (32 - length)), length);
        }
        return IpPrefix.ipv6(address[0], address[1] & IpPrefix.maskLow(length), length);
    }

    /** Host {@code host} (0-255) of block 0 (destinations) or 1 (sources): a /24 or a /120. */
    private static long[] denseBlockAddress(int family, int block, int host) {
        if (family == IpPrefix.IPV4) {
            int base = block == 0 ? 0x0A01_0200 : 0xC0A8_0100;
            return new long[] {((base | host) & 0xFFFF_FFFFL) << 32, 0};
        }
        long high = block == 0 ? 0x2001_0DB8_0000_0001L : 0xFD00_0000_0000_0002L;
        return new long[] {high, 0x100L | host};
    }
}
