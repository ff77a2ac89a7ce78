package io.softgate.nat.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.config.NatAction;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.NatConfigException;
import io.softgate.nat.config.NatRule;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.VpcBinding;
import io.softgate.nat.session.SessionKeys;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NatRuleCompilerTest {
    private static final List<VpcBinding> VPCS = List.of(new VpcBinding("blue", 1, "198.51.100.9"),
        new VpcBinding("red", 2, null));

    private static NatTables compile(List<NatRule> rules) {
        return compile(rules, NatSettings.defaults());
    }

    private static NatTables compile(List<NatRule> rules, NatSettings settings) {
        return new NatRuleCompiler(new ExternalAddressRegistry(64)).compile(new NatConfig(VPCS, 0, rules, settings));
    }

    private static NatConfigException rejected(NatRule rule) {
        return assertThrows(NatConfigException.class, () -> compile(List.of(rule)));
    }

    @Test
    void shouldOrderOutboundRulesDeterministicallyWhateverTheInputOrder() {
        List<NatRule> rules = new ArrayList<>(List.of(
            NatRule.builder("wide", NatAction.SNAT, "blue").source("10.0.0.0/8", null).snatToIP("198.51.100.1").build(),
            NatRule.builder("narrow", NatAction.SNAT, "blue").source("10.1.0.0/16", null).snatToIP("198.51.100.2")
                .build(),
            NatRule.builder("web-only", NatAction.SNAT, "blue").protocol("tcp").source("10.1.0.0/16", null)
                .destination(null, "443").snatToIP("198.51.100.3").build(),
            NatRule.builder("exclude", NatAction.ACCEPT_SNAT, "blue").destination("172.16.0.0/12", null).build(),
            NatRule.builder("masq", NatAction.MASQUERADE, "blue").source("10.1.0.0/16", null).build(),
            NatRule.builder("eip", NatAction.DNAT, "blue").destination("203.0.113.7", null).dnatTo("10.9.9.9", null)
                .build()));
        List<String> expected = List.of("exclude", "eip", "web-only", "masq", "narrow", "wide");
        Random random = new Random(7);
        for (int round = 0; round < 10; round++) {
            Collections.shuffle(rules, random);
            List<String> names = new ArrayList<>();
            for (CompiledRule rule : compile(rules).outbound(1)) {
                names.add(rule.name);
            }
            assertEquals(expected, names);
        }
    }

    @Test
    void shouldCompileOnlyTheChangedRuleOfARecompileAndGiveTheSameTablesAsAFreshCompile() {
        NatRule ssh = NatRule.builder("ssh", NatAction.DNAT, "red").protocol("tcp").destination("203.0.113.7", "22")
            .dnatTo("10.0.0.3", 22).build();
        NatRule web = NatRule.builder("web", NatAction.DNAT, "red").protocol("tcp").destination("203.0.113.7", "80")
            .dnatTo("10.0.0.4", 80).build();
        NatRule movedWeb = NatRule.builder("web", NatAction.DNAT, "red").protocol("tcp").destination("203.0.113.7", "8080")
            .dnatTo("10.0.0.4", 80).build();
        NatRuleCompiler compiler = new NatRuleCompiler(new ExternalAddressRegistry(64));
        NatTables before = compiler.compile(new NatConfig(VPCS, 0, List.of(ssh, web), NatSettings.defaults()));
        NatTables after = compiler.compile(new NatConfig(VPCS, 0, List.of(ssh, movedWeb), NatSettings.defaults()));
        NatTables fresh = compile(List.of(ssh, movedWeb));
        assertSame(before.inbound()[0], after.inbound()[0], "the unchanged rule is the previous compile's");
        assertEquals(2, after.inbound().length);
        for (int i = 0; i < 2; i++) {
            assertEquals(fresh.inbound()[i].toString(), after.inbound()[i].toString());
        }
        assertEquals(8080, after.inbound()[1].destinationPortFirst);
    }

    @Test
    void shouldPutPortForwardsBeforeOneToOneMappings() {
        NatTables tables = compile(List.of(
            NatRule.builder("eip", NatAction.DNAT, "blue").destination("203.0.113.7", null).dnatTo("10.0.0.9", null)
                .build(),
            NatRule.builder("ssh", NatAction.DNAT, "red").protocol("tcp").destination("203.0.113.7", "22")
                .dnatTo("10.0.0.3", 22).build()));
        assertEquals("ssh", tables.inbound()[0].name);
        assertEquals(RuleKind.STATIC_SOURCE, tables.outbound(1)[0].kind);
    }

    @Test
    void shouldMapAPortRangeOntoTheTargetPortsKeepingTheOffset() {
        NatTables tables = compile(List.of(NatRule.builder("range", NatAction.DNAT, "blue").protocol("udp")
            .destination("203.0.113.8/32", "10000-10099").dnatTo("10.0.0.4", 20000).build()));
        CompiledRule rule = tables.inbound()[0];
        assertEquals(20042, rule.translatedPort(10042));
        assertEquals(-1, rule.destinationMask);
    }

    @Test
    void shouldLeaveDisabledRulesOut() {
        NatTables tables = compile(List.of(NatRule.builder("off", NatAction.SNAT, "blue").snatToIP("198.51.100.1")
            .state("disabled").build()));
        assertEquals(0, tables.outbound(1).length);
        assertNull(tables.external(Ipv4Flyweight.parse("198.51.100.1")));
    }

    @Test
    void shouldKnowEveryPublicAddressItOwns() {
        NatTables tables = compile(List.of(NatRule.builder("pool", NatAction.SNAT, "blue")
            .snatToPool("198.51.100.4-198.51.100.6").build()));
        assertNotNull(tables.external(Ipv4Flyweight.parse("198.51.100.5")));
        assertNull(tables.external(Ipv4Flyweight.parse("198.51.100.7")));
        assertEquals(3, tables.externalAddresses().length);
    }

    @Test
    void shouldKeepPortStateOfAnAddressAcrossRecompilation() {
        ExternalAddressRegistry registry = new ExternalAddressRegistry(8);
        NatRuleCompiler compiler = new NatRuleCompiler(registry);
        List<NatRule> rules = List.of(NatRule.builder("out", NatAction.SNAT, "blue").snatToIP("198.51.100.1").build());
        NatTables first = compiler.compile(new NatConfig(VPCS, 0, rules, NatSettings.defaults()));
        NatTables second = compiler.compile(new NatConfig(VPCS, 0, rules, NatSettings.defaults()));
        int address = Ipv4Flyweight.parse("198.51.100.1");
        assertEquals(first.external(address).ports, second.external(address).ports);
    }

    @Test
    void shouldNameTheFieldOfAnUnknownVpc() {
        assertEquals("rule[x].vpc", rejected(NatRule.builder("x", NatAction.SNAT, "green").snatToIP("198.51.100.1")
            .build()).field());
    }

    @Test
    void shouldNameTheFieldOfABadAddress() {
        assertEquals("rule[x].snatToIP", rejected(NatRule.builder("x", NatAction.SNAT, "blue").snatToIP("300.1.1.1")
            .build()).field());
        assertEquals("rule[x].sourceAddress", rejected(NatRule.builder("x", NatAction.SNAT, "blue")
            .source("10.0.0.0/33", null).snatToIP("198.51.100.1").build()).field());
    }

    @Test
    void shouldNameTheFieldOfABadPortRange() {
        assertEquals("rule[x].destinationPort", rejected(NatRule.builder("x", NatAction.DNAT, "blue").protocol("tcp")
            .destination("203.0.113.1", "90-80").dnatTo("10.0.0.1", 80).build()).field());
    }

    @Test
    void shouldRequireExactlyOneSnatTarget() {
        assertEquals("rule[x].snatToIP", rejected(NatRule.builder("x", NatAction.SNAT, "blue").build()).field());
    }

    @Test
    void shouldRejectMasqueradeInAVpcWithoutMasqueradeAddress() {
        assertEquals("rule[x].action", rejected(NatRule.builder("x", NatAction.MASQUERADE, "red").build()).field());
    }

    @Test
    void shouldRejectPortsWithoutTcpOrUdp() {
        assertEquals("rule[x].protocol", rejected(NatRule.builder("x", NatAction.SNAT, "blue").protocol("icmp")
            .source(null, "80").snatToIP("198.51.100.1").build()).field());
    }

    @Test
    void shouldRejectDnatWithoutTarget() {
        assertEquals("rule[x].dnatToIP", rejected(NatRule.builder("x", NatAction.DNAT, "blue")
            .destination("203.0.113.1", null).build()).field());
    }

    @Test
    void shouldRejectOverlappingPortForwardsOnOneAddress() {
        NatConfigException error = assertThrows(NatConfigException.class, () -> compile(List.of(
            NatRule.builder("a", NatAction.DNAT, "blue").protocol("tcp").destination("203.0.113.1", "80-90")
                .dnatTo("10.0.0.1", null).build(),
            NatRule.builder("b", NatAction.DNAT, "red").protocol("tcp").destination("203.0.113.1", "85")
                .dnatTo("10.0.0.2", null).build())));
        assertEquals("destinationPort", error.field().substring(error.field().indexOf('.') + 1));
    }

    @Test
    void shouldRejectAPortForwardInsideAnEarlierWiderRangeBehindAnotherProtocol() {
        NatConfigException error = assertThrows(NatConfigException.class, () -> compile(List.of(
            NatRule.builder("wide", NatAction.DNAT, "blue").protocol("tcp").destination("203.0.113.1", "80-100")
                .dnatTo("10.0.0.1", null).build(),
            NatRule.builder("dns", NatAction.DNAT, "blue").protocol("udp").destination("203.0.113.1", "85")
                .dnatTo("10.0.0.2", null).build(),
            NatRule.builder("inside", NatAction.DNAT, "red").protocol("tcp").destination("203.0.113.1", "90")
                .dnatTo("10.0.0.3", null).build())));
        assertEquals("rule[inside].destinationPort", error.field());
    }

    @Test
    void shouldAcceptTheSamePortForwardedForTcpAndUdpAndOnOtherAddresses() {
        NatTables tables = compile(List.of(
            NatRule.builder("tcp", NatAction.DNAT, "blue").protocol("tcp").destination("203.0.113.1", "53")
                .dnatTo("10.0.0.1", null).build(),
            NatRule.builder("udp", NatAction.DNAT, "blue").protocol("udp").destination("203.0.113.1", "53")
                .dnatTo("10.0.0.2", null).build(),
            NatRule.builder("other", NatAction.DNAT, "blue").protocol("tcp").destination("203.0.113.2", "53")
                .dnatTo("10.0.0.3", null).build(),
            NatRule.builder("next", NatAction.DNAT, "blue").protocol("tcp").destination("203.0.113.1", "54")
                .dnatTo("10.0.0.4", null).build()));
        assertEquals(4, tables.inbound().length);
    }

    @Test
    void shouldRejectTimeoutsBelowTheRfcMinimums() {
        NatSettings tooShort = NatSettings.defaults().withUdpTimeoutNs(60_000_000_000L);
        NatConfigException error = assertThrows(NatConfigException.class, () -> compile(List.of(), tooShort));
        assertEquals("settings.udpTimeoutNs", error.field());
    }

    @Test
    void shouldRejectTimeoutsTheSessionDeadlineCannotHold() {
        // A deadline is an int of 2^20-ns ticks compared with wrap-around: 30 days would wrap and
        // expire the session at once. Each timeout is checked; the exact maximum is accepted.
        long max = SessionKeys.MAX_TIMEOUT_NS;
        assertEquals(2_251_798_739_943_424L, max);
        NatSettings d = NatSettings.defaults();
        List<NatSettings> tooLong = List.of(
            d.withUdpTimeoutNs(max + 1),
            new NatSettings(d.udpTimeoutNs(), max + 1, d.tcpTransitoryTimeoutNs(), d.icmpQueryTimeoutNs(),
                d.portReuseHoldNs(), d.filtering(), d.portAllocation(), d.portBlockSize(), d.portRangeFirst(),
                d.portRangeLast(), d.portsPerSubscriberLimit(), d.inboundRefresh(), d.tcpMssClamp(),
                d.icmpErrorsPerSecond(), d.unsolicitedSynPortUnreachable(),
                d.sessionsPerSubscriberLimit()),
            new NatSettings(d.udpTimeoutNs(), d.tcpEstablishedTimeoutNs(), max + 1, d.icmpQueryTimeoutNs(),
                d.portReuseHoldNs(), d.filtering(), d.portAllocation(), d.portBlockSize(), d.portRangeFirst(),
                d.portRangeLast(), d.portsPerSubscriberLimit(), d.inboundRefresh(), d.tcpMssClamp(),
                d.icmpErrorsPerSecond(), d.unsolicitedSynPortUnreachable(),
                d.sessionsPerSubscriberLimit()),
            new NatSettings(d.udpTimeoutNs(), d.tcpEstablishedTimeoutNs(), d.tcpTransitoryTimeoutNs(), max + 1,
                d.portReuseHoldNs(), d.filtering(), d.portAllocation(), d.portBlockSize(), d.portRangeFirst(),
                d.portRangeLast(), d.portsPerSubscriberLimit(), d.inboundRefresh(), d.tcpMssClamp(),
                d.icmpErrorsPerSecond(), d.unsolicitedSynPortUnreachable(),
                d.sessionsPerSubscriberLimit()));
        List<String> fields = List.of("settings.udpTimeoutNs", "settings.tcpEstablishedTimeoutNs",
            "settings.tcpTransitoryTimeoutNs", "settings.icmpQueryTimeoutNs");
        for (int i = 0; i < tooLong.size(); i++) {
            NatSettings settings = tooLong.get(i);
            NatConfigException error = assertThrows(NatConfigException.class, () -> compile(List.of(), settings));
            assertEquals(fields.get(i), error.field());
            assertTrue(error.getMessage().contains("at most 2251798739943424 ns"), error.getMessage());
        }
        compile(List.of(), d.withUdpTimeoutNs(max));
    }

    @Test
    void shouldRejectAPortBlockLargerThanThePerSubscriberPortLimit() {
        // RFC 6888: a subscriber gets whole blocks; with a block above its limit it would get none.
        NatSettings settings = NatSettings.defaults().withPortBlocks(256).withPortsPerSubscriberLimit(100);
        NatConfigException error = assertThrows(NatConfigException.class, () -> compile(List.of(), settings));
        assertEquals("settings.portBlockSize", error.field());
        assertTrue(error.getMessage().contains("portsPerSubscriberLimit (100)"), error.getMessage());
        compile(List.of(), NatSettings.defaults().withPortBlocks(100).withPortsPerSubscriberLimit(100));
        // Random ports ignore the block size.
        compile(List.of(), NatSettings.defaults().withPortsPerSubscriberLimit(100));
    }

    @Test
    void shouldRejectAPortReuseHoldShorterThanTwoMinutes() {
        // RFC 6888 REQ-8 / DESIGN §8: a freed port is not handed out again for 120 s.
        NatSettings d = NatSettings.defaults();
        NatSettings shortHold = new NatSettings(d.udpTimeoutNs(), d.tcpEstablishedTimeoutNs(),
            d.tcpTransitoryTimeoutNs(), d.icmpQueryTimeoutNs(), 119_999_999_999L, d.filtering(), d.portAllocation(),
            d.portBlockSize(), d.portRangeFirst(), d.portRangeLast(), d.portsPerSubscriberLimit(), d.inboundRefresh(),
            d.tcpMssClamp(), d.icmpErrorsPerSecond(), d.unsolicitedSynPortUnreachable(),
                d.sessionsPerSubscriberLimit());
        NatConfigException error = assertThrows(NatConfigException.class, () -> compile(List.of(), shortHold));
        assertEquals("settings.portReuseHoldNs", error.field());
        assertEquals(120_000_000_000L, d.portReuseHoldNs());
        compile(List.of(), d);
    }

    @Test
    void shouldRejectAPortReuseHoldLongerThanADay() {
        // A held port serves no one: beyond a day the hold only drains the address's port range.
        long day = 86_400_000_000_000L;
        assertEquals(day, NatSettings.MAX_PORT_REUSE_HOLD_NS);
        NatSettings longHold = NatSettings.defaults().withPortReuseHoldNs(day + 1);
        NatConfigException error = assertThrows(NatConfigException.class, () -> compile(List.of(), longHold));
        assertEquals("settings.portReuseHoldNs", error.field());
        assertTrue(error.getMessage().contains("at most 86400000000000 ns (one day)"), error.getMessage());
        NatSettings wrappingHold = NatSettings.defaults().withPortReuseHoldNs(Long.MAX_VALUE);
        assertEquals("settings.portReuseHoldNs",
            assertThrows(NatConfigException.class, () -> compile(List.of(), wrappingHold)).field());
        compile(List.of(), NatSettings.defaults().withPortReuseHoldNs(day));
    }

    @Test
    void shouldRejectAOneToOneAddressThatIsAlsoAnSnatAddress() {
        NatConfigException error = assertThrows(NatConfigException.class, () -> compile(List.of(
            NatRule.builder("eip", NatAction.DNAT, "blue").destination("203.0.113.7", null).dnatTo("10.0.0.9", null)
                .build(),
            NatRule.builder("out", NatAction.SNAT, "red").snatToIP("203.0.113.7").build())));
        assertEquals("rule[out].snatToPool", error.field());
    }

    @Test
    void shouldKeepForwardedPortsOutOfDynamicAllocation() {
        NatTables tables = compile(List.of(
            NatRule.builder("out", NatAction.SNAT, "blue").snatToIP("198.51.100.1").build(),
            NatRule.builder("web", NatAction.DNAT, "blue").protocol("tcp").destination("198.51.100.1", "8080")
                .dnatTo("10.0.0.2", 80).build()),
            NatSettings.defaults().withPortRange(8080, 8081));
        io.softgate.nat.session.PortSpace ports = tables.external(Ipv4Flyweight.parse("198.51.100.1")).ports;
        assertEquals(8081, ports.claimRandom(io.softgate.nat.session.ProtocolClass.TCP, 8080, 8081, 0, 0));
        assertEquals(-1, ports.claimRandom(io.softgate.nat.session.ProtocolClass.TCP, 8080, 8081, 0, 0));
        assertEquals(8080, ports.claimRandom(io.softgate.nat.session.ProtocolClass.UDP, 8080, 8081, 0, 0),
            "a TCP forward leaves the UDP port free");
    }

    @Test
    void shouldFreeAForwardedPortWhenTheForwardIsRemoved() {
        ExternalAddressRegistry registry = new ExternalAddressRegistry(8);
        NatRuleCompiler compiler = new NatRuleCompiler(registry);
        NatRule out = NatRule.builder("out", NatAction.SNAT, "blue").snatToIP("198.51.100.1").build();
        NatRule web = NatRule.builder("web", NatAction.DNAT, "blue").protocol("tcp")
            .destination("198.51.100.1", "8080").dnatTo("10.0.0.2", 80).build();
        NatSettings settings = NatSettings.defaults().withPortRange(8080, 8080);
        compiler.compile(new NatConfig(VPCS, 0, List.of(out, web), settings));
        NatTables tables = compiler.compile(new NatConfig(VPCS, 0, List.of(out), settings));
        assertEquals(8080, tables.external(Ipv4Flyweight.parse("198.51.100.1")).ports
            .claimRandom(io.softgate.nat.session.ProtocolClass.TCP, 8080, 8080, 0, 0));
    }

    @Test
    void shouldRejectAnUnknownState() {
        assertEquals("rule[x].state", rejected(NatRule.builder("x", NatAction.SNAT, "blue").snatToIP("198.51.100.1")
            .state("maybe").build()).field());
    }
}
