package io.softgate.acl.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Many rules on one exact prefix (an allow-list of client addresses to one server) must not make
 * one long candidate list that every packet to the server scans: they are filed under their
 * other prefix, and the classifier still gives the linear scan's answer.
 */
class CrowdedPrefixTest {
    private static final int SERVER = 0x0A00_0005;
    private static final int CLIENTS = 2_000;

    @Test
    void shouldSpreadAnIpv4AllowListOverItsSourcesAndAgreeWithLinearScan() {
        SplittableRandom random = new SplittableRandom(0xA110_3157L);
        List<AclRule> rules = new ArrayList<>();
        int[] clients = new int[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            clients[i] = 0x2000_0000 + random.nextInt(1 << 28);
            rules.add(AclRule.builder("client-" + i, "vpc").priority(10 + i).protocol(AclProtocol.TCP)
                .srcPrefix(IpPrefix.ipv4(clients[i], 32)).dstPrefix(IpPrefix.ipv4(SERVER, 32))
                .dstPort(443).permit().build());
        }
        // Rules that overlap the allow-list, before and after it in rank order.
        rules.add(AclRule.builder("blocked-range", "vpc").priority(5)
            .srcPrefix(IpPrefix.ipv4(clients[7] & 0xFFFF_FF00, 24)).dstPrefix(IpPrefix.ipv4(SERVER, 32)).deny().build());
        rules.add(AclRule.builder("server-subnet-ssh", "vpc").priority(CLIENTS + 20).protocol(AclProtocol.TCP)
            .dstPrefix(IpPrefix.ipv4(SERVER & 0xFFFF_FF00, 24)).dstPort(22).permit().build());
        rules.add(AclRule.builder("server-deny-rest", "vpc").priority(CLIENTS + 30)
            .dstPrefix(IpPrefix.ipv4(SERVER, 32)).deny().build());
        rules.sort(AclCompiler.EVALUATION_ORDER);
        PrefixClassifier classifier = new PrefixClassifier(IpPrefix.IPV4, rules);

        assertTrue(classifier.longestList() <= 2 * PrefixClassifier.CROWDED,
            "longest list: " + classifier.longestList());
        CompiledRules compiled = new CompiledRules(rules);
        LinearReferenceClassifier reference = new LinearReferenceClassifier(rules);
        int matchedClients = 0;
        for (int p = 0; p < 40_000; p++) {
            int pick = random.nextInt(4);
            long source = pick < 2 ? clients[random.nextInt(CLIENTS)]
                : pick == 2 ? (clients[random.nextInt(CLIENTS)] & 0xFFFF_FF00) | random.nextInt(256)
                : 0x2000_0000 + random.nextInt(1 << 28);
            long destination = random.nextInt(8) == 0 ? (SERVER & 0xFFFF_FF00) | random.nextInt(256) : SERVER;
            int protocol = random.nextBoolean() ? 6 : 17;
            int dstPort = random.nextInt(3) == 0 ? 22 : random.nextInt(3) == 0 ? random.nextInt(65536) : 443;
            long srcHigh = (source & 0xFFFF_FFFFL) << 32;
            long dstHigh = (destination & 0xFFFF_FFFFL) << 32;
            AclRule expected = reference.firstMatch(false, srcHigh, 0, dstHigh, 0, protocol, 40_000, dstPort, -1, false);
            int rank = classifier.lookup(compiled, srcHigh, 0, dstHigh, 0, protocol, 40_000, dstPort, -1, false);
            assertEquals(expected, rank < 0 ? null : rules.get(rank), "packet " + p);
            matchedClients += expected != null && expected.name().startsWith("client-") ? 1 : 0;
        }
        assertTrue(matchedClients > 3_000, "allow-list matches: " + matchedClients);
    }

    @Test
    void shouldSpreadAnIpv6AllowListOverItsSources() {
        List<AclRule> rules = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            rules.add(AclRule.builder("client-" + i, "vpc").priority(i).protocol(AclProtocol.UDP)
                .srcPrefix("2001:db8:" + Integer.toHexString(i) + "::1/128").dstPrefix("fd00::5/128")
                .dstPort(53).permit().build());
        }
        PrefixClassifier classifier = new PrefixClassifier(IpPrefix.IPV6, rules);
        assertTrue(classifier.longestList() <= PrefixClassifier.CROWDED, "longest list: " + classifier.longestList());
        assertEquals(0, classifier.remainderRules());
    }

    @Test
    void shouldNotPileRulesOntoAnotherCrowdedPrefix() {
        // One partner /16 to 100 ports of one server: the rules share both prefixes, so moving
        // them all would only crowd the source side; CROWDED of them move, the rest stay.
        List<AclRule> rules = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rules.add(AclRule.builder("port-" + i, "vpc").priority(i).protocol(AclProtocol.TCP)
                .srcPrefix(IpPrefix.ipv4(0xC633_0000, 16)).dstPrefix(IpPrefix.ipv4(SERVER, 32))
                .dstPort(1000 + i).permit().build());
        }
        PrefixClassifier classifier = new PrefixClassifier(IpPrefix.IPV4, rules);
        assertEquals(100 - PrefixClassifier.CROWDED, classifier.longestList());
    }
}
