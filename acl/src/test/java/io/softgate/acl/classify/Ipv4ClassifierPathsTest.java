package io.softgate.acl.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The IPv4 classifier's two paths (leaf-pushed indexes, fallback trie) must each give the linear
 * scan's answer: with no nesting allowed, every nested prefix is forced onto the fallback trie.
 */
class Ipv4ClassifierPathsTest {
    @Test
    void shouldAgreeWithLinearScanWhenNestedPrefixesFallBackToTheTrie() {
        RandomAcl random = new RandomAcl(0xFA11_BAC4L);
        int fallbackRules = 0;
        int cases = 0;
        for (int set = 0; set < 60; set++) {
            List<AclRule> rules = new ArrayList<>(random.rules(set % 2 == 0 ? 50 : 400, "vpc"));
            rules.sort(AclCompiler.EVALUATION_ORDER);
            Ipv4Classifier classifier = new Ipv4Classifier(rules, 0);
            CompiledRules compiled = new CompiledRules(rules);
            LinearReferenceClassifier reference = new LinearReferenceClassifier(rules);
            fallbackRules += classifier.remainderRules();
            for (int p = 0; p < 300; p++) {
                long[] packet = random.packet();
                if (packet[0] == 1) {
                    continue;
                }
                AclRule expected = reference.firstMatch(false, packet[1], 0, packet[3], 0, (int) packet[5],
                    (int) packet[6], (int) packet[7], (int) packet[8], packet[9] == 1);
                int rank = classifier.lookup(compiled, packet[1], packet[3], (int) packet[5], (int) packet[6],
                    (int) packet[7], (int) packet[8], packet[9] == 1);
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
            AclRule.builder("source", "vpc").priority(3).srcPrefix(IpPrefix.ipv4(0xC0A8_0000, 16)).permit().build());
        Ipv4Classifier classifier = new Ipv4Classifier(rules);
        assertEquals(1, classifier.remainderRules());
    }
}
