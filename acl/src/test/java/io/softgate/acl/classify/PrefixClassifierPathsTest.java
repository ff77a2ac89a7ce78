package io.softgate.acl.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each family's classifier has two paths (leaf-pushed indexes, fallback trie) that must each give
 * the linear scan's answer: with no nesting allowed, every nested prefix is forced onto the
 * fallback trie.
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
    void shouldKeepPrefixlessRulesOnTheTrieAndIndexTheOthers() {
        List<AclRule> rules = List.of(
            AclRule.builder("any", "vpc").priority(1).deny().build(),
            AclRule.builder("host", "vpc").priority(2).dstPrefix(IpPrefix.ipv4(0x0A00_0001, 32)).permit().build(),
            AclRule.builder("source", "vpc").priority(3).srcPrefix(IpPrefix.ipv4(0xC0A8_0000, 16)).permit().build(),
            AclRule.builder("v6-host", "vpc").priority(4).dstPrefix("2001:db8::5/128").permit().build());
        assertEquals(1, new PrefixClassifier(IpPrefix.IPV4, rules).remainderRules());
        assertEquals(1, new PrefixClassifier(IpPrefix.IPV6, rules).remainderRules());
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
}
