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
 * Many rules on one exact prefix must not make one long candidate list that every packet to the
 * server scans: an allow-list of client addresses is filed under its other prefix; rules with no
 * other prefix ("any to the server, port N") are split by destination port. The classifier still
 * gives the linear scan's answer.
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
        Ipv4Check check = new Ipv4Check(rules, 2 * PrefixClassifier.CROWDED);
        int matchedClients = 0;
        for (int p = 0; p < 40_000; p++) {
            int pick = random.nextInt(4);
            long source = pick < 2 ? clients[random.nextInt(CLIENTS)]
                : pick == 2 ? (clients[random.nextInt(CLIENTS)] & 0xFFFF_FF00) | random.nextInt(256)
                : 0x2000_0000 + random.nextInt(1 << 28);
            long destination = random.nextInt(8) == 0 ? (SERVER & 0xFFFF_FF00) | random.nextInt(256) : SERVER;
            int protocol = random.nextBoolean() ? 6 : 17;
            int dstPort = random.nextInt(3) == 0 ? 22 : random.nextInt(3) == 0 ? random.nextInt(65536) : 443;
            AclRule expected = check.sameAnswer(source, destination, protocol, 40_000, dstPort, -1, false);
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
    void shouldSplitServicePortsByPortAndAgreeWithLinearScan() {
        SplittableRandom random = new SplittableRandom(0x5E4F_1CE5L);
        List<AclRule> rules = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            AclRule.Builder rule = AclRule.builder("port-" + i, "vpc").priority(100 + i)
                .protocol(i % 3 == 0 ? AclProtocol.UDP : AclProtocol.TCP).dstPrefix(IpPrefix.ipv4(SERVER, 32));
            if (i % 50 == 0) {
                int low = random.nextInt(60_000);
                rule.dstPorts(low, low + random.nextInt(2_000));
            } else {
                rule.dstPort(1 + random.nextInt(40_000));
            }
            rules.add((i % 7 == 0 ? rule.deny() : rule.permit()).build());
        }
        // Full-range rules on the same list, before and after: in every sub-list.
        rules.add(AclRule.builder("server-icmp", "vpc").priority(50).protocol(AclProtocol.ICMP)
            .dstPrefix(IpPrefix.ipv4(SERVER, 32)).icmpType(8).permit().build());
        rules.add(AclRule.builder("subnet-udp", "vpc").priority(60).protocol(AclProtocol.UDP)
            .dstPrefix(IpPrefix.ipv4(SERVER & 0xFFFF_FF00, 24)).srcPorts(53, 53).permit().build());
        rules.add(AclRule.builder("server-deny-rest", "vpc").priority(CLIENTS + 200)
            .dstPrefix(IpPrefix.ipv4(SERVER, 32)).deny().build());
        Ipv4Check check = new Ipv4Check(rules, 3 * PrefixIndex.PORT_SPLIT_MIN);
        int matchedPorts = 0;
        for (int p = 0; p < 60_000; p++) {
            AclRule named = rules.get(random.nextInt(rules.size()));
            int dstPort = random.nextInt(3) == 0 ? random.nextInt(65_536)
                : named.dstPortFrom() + random.nextInt(named.dstPortTo() - named.dstPortFrom() + 1);
            dstPort = random.nextInt(40) == 0 ? random.nextInt(3) * 32_767 + random.nextInt(2) : dstPort;
            int protocol = new int[] {6, 17, 1, 47}[random.nextInt(4)];
            int srcPort = random.nextInt(10) == 0 ? 53 : 1024 + random.nextInt(60_000);
            int icmpType = protocol == 1 ? random.nextInt(2) * 8 : -1;
            boolean fragment = random.nextInt(10) == 0;
            long source = 0x2000_0000L + random.nextInt(1 << 28);
            long destination = random.nextInt(8) == 0 ? (SERVER & 0xFFFF_FF00) | random.nextInt(256) : SERVER;
            AclRule expected = check.sameAnswer(source, destination, protocol, srcPort, dstPort, icmpType, fragment);
            matchedPorts += expected != null && expected.name().startsWith("port-") ? 1 : 0;
        }
        assertTrue(matchedPorts > 10_000, "port rule matches: " + matchedPorts);
    }

    @Test
    void shouldSplitPrefixlessPortRulesByPortAndAgreeWithLinearScan() {
        // "Any to any, port N" for many N (a global port allow-list) plus prefixed rules around it.
        SplittableRandom random = new SplittableRandom(0xA11_0F_A11L);
        List<AclRule> rules = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            rules.add(AclRule.builder("any-port-" + i, "vpc").priority(100 + i)
                .protocol(i % 2 == 0 ? AclProtocol.TCP : AclProtocol.UDP).dstPort(1 + random.nextInt(60_000))
                .permit().build());
        }
        rules.add(AclRule.builder("icmp-anywhere", "vpc").priority(90).protocol(AclProtocol.ICMP).permit().build());
        rules.add(AclRule.builder("server-deny", "vpc").priority(50).dstPrefix(IpPrefix.ipv4(SERVER, 32)).deny().build());
        rules.add(AclRule.builder("deny-rest", "vpc").priority(CLIENTS + 500).deny().build());
        Ipv4Check check = new Ipv4Check(rules, 3 * PrefixIndex.PORT_SPLIT_MIN);
        assertEquals(0, check.classifier.remainderRules());
        int matchedPorts = 0;
        for (int p = 0; p < 40_000; p++) {
            AclRule named = rules.get(random.nextInt(rules.size()));
            int dstPort = random.nextBoolean() ? random.nextInt(65_536) : named.dstPortFrom();
            int protocol = new int[] {6, 17, 1}[random.nextInt(3)];
            long destination = random.nextInt(10) == 0 ? SERVER : 0x0A00_0000 + random.nextInt(1 << 16);
            AclRule expected = check.sameAnswer(0x2000_0000L + random.nextInt(1 << 28), destination, protocol, 40_000,
                dstPort, protocol == 1 ? 8 : -1, random.nextInt(10) == 0);
            matchedPorts += expected != null && expected.name().startsWith("any-port-") ? 1 : 0;
        }
        assertTrue(matchedPorts > 5_000, "port rule matches: " + matchedPorts);
    }

    @Test
    void shouldSplitIpv6ServicePortsByPort() {
        List<AclRule> rules = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            rules.add(AclRule.builder("port-" + i, "vpc").priority(i).protocol(AclProtocol.TCP)
                .dstPrefix("fd00::5/128").dstPort(10_000 + i).permit().build());
        }
        PrefixClassifier classifier = new PrefixClassifier(IpPrefix.IPV6, rules);
        assertEquals(1, classifier.longestList());
        CompiledRules compiled = new CompiledRules(rules);
        long serverHigh = 0xFD00_0000_0000_0000L;
        for (int port = 9_990; port < 12_010; port++) {
            int rank = classifier.lookup(compiled, 0x2001_0DB8_0000_0000L, 1, serverHigh, 5, 6, 40_000, port, -1, false);
            assertEquals(port >= 10_000 && port < 10_000 + CLIENTS ? port - 10_000 : -1, rank, "port " + port);
        }
        // A non-first fragment has no ports: every permitting port rule matches it, the first wins.
        assertEquals(0, classifier.lookup(compiled, 0x2001_0DB8_0000_0000L, 1, serverHigh, 5, 6, 0, 0, -1, true));
    }

    @Test
    void shouldNeitherPileRulesOntoAnotherCrowdedPrefixNorSplitAListWhoseRulesSpanEveryPort() {
        // One partner /16 to one server, 100 rules: they share both prefixes, so moving them all
        // would only crowd the source side (CROWDED of them move, the rest stay); and their port
        // ranges all run to 65535, so splitting by port would copy each into about 50 sub-lists.
        List<AclRule> rules = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rules.add(AclRule.builder("any-port-" + i, "vpc").priority(i).protocol(AclProtocol.TCP)
                .srcPrefix(IpPrefix.ipv4(0xC633_0000, 16)).dstPrefix(IpPrefix.ipv4(SERVER, 32))
                .dstPorts(i, 65_535).permit().build());
        }
        PrefixClassifier classifier = new PrefixClassifier(IpPrefix.IPV4, rules);
        assertEquals(100 - PrefixClassifier.CROWDED, classifier.longestList());
    }

    /** An IPv4 rule set in evaluation order, its classifier (lists no longer than a bound) and the linear scan. */
    private static final class Ipv4Check {
        private final List<AclRule> rules;
        private final PrefixClassifier classifier;
        private final CompiledRules compiled;
        private final LinearReferenceClassifier reference;

        Ipv4Check(List<AclRule> unordered, int longestList) {
            rules = new ArrayList<>(unordered);
            rules.sort(AclCompiler.EVALUATION_ORDER);
            classifier = new PrefixClassifier(IpPrefix.IPV4, rules);
            assertTrue(classifier.longestList() <= longestList, "longest list: " + classifier.longestList());
            compiled = new CompiledRules(rules);
            reference = new LinearReferenceClassifier(rules);
        }

        /** Asserts that the classifier and the linear scan pick the same rule; returns it (null: none). */
        AclRule sameAnswer(long source, long destination, int protocol, int srcPort, int dstPort, int icmpType,
                           boolean nonFirstFragment) {
            long srcHigh = (source & 0xFFFF_FFFFL) << 32;
            long dstHigh = (destination & 0xFFFF_FFFFL) << 32;
            AclRule expected = reference.firstMatch(false, srcHigh, 0, dstHigh, 0, protocol, srcPort, dstPort, icmpType,
                nonFirstFragment);
            int rank = classifier.lookup(compiled, srcHigh, 0, dstHigh, 0, protocol, srcPort, dstPort, icmpType,
                nonFirstFragment);
            assertEquals(expected, rank < 0 ? null : rules.get(rank),
                "packet " + Long.toHexString(source) + " -> " + Long.toHexString(destination) + " proto " + protocol
                    + " port " + dstPort + (nonFirstFragment ? " (fragment)" : ""));
            return expected;
        }
    }
}
