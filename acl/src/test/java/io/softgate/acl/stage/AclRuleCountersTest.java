package io.softgate.acl.stage;

import static io.softgate.acl.stage.AclFixture.ether;
import static io.softgate.core.packet.TcpFlyweight.FLAG_ACK;
import static io.softgate.core.packet.TcpFlyweight.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-rule hit and byte counters, read by the control plane while the stage runs. */
class AclRuleCountersTest {
    @Test
    void shouldCountHitsAndInnerBytesPerRuleIncludingReturnTraffic() {
        List<AclRule> rules = List.of(
            AclRule.builder("deny-telnet", AclFixture.VPC).priority(1).deny().protocol(AclProtocol.TCP).dstPort(23).build(),
            AclRule.builder("vms-out", AclFixture.VPC).priority(2).permit().protocol(AclProtocol.TCP)
                .srcPrefix("10.0.0.0/24").established(true).build());
        byte[] syn = ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443).tcpFlags(FLAG_SYN).build();
        byte[] reply = ether().ipv4("203.0.113.9", "10.0.0.30").tcp(443, 50000).tcpFlags(FLAG_ACK).payload(100).build();
        byte[] telnet = ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50001, 23).tcpFlags(FLAG_SYN).build();
        byte[] stranger = ether().ipv4("198.51.100.1", "10.0.0.30").udp(1, 2).build();
        try (AclFixture fixture = new AclFixture(rules, AclAction.DENY)) {
            fixture.run(syn, fixture.ipv4());
            fixture.run(reply, fixture.ipv4());
            fixture.run(telnet, fixture.ipv4());
            fixture.run(stranger, fixture.ipv4());

            AclRuleCounters counters = fixture.runtime.counters();
            int denyTelnet = fixture.tables.classifier(AclFixture.VRF).ruleId(0);
            int vmsOut = fixture.tables.classifier(AclFixture.VRF).ruleId(1);
            int defaultPolicy = fixture.tables.defaultCounterId(AclFixture.VRF);
            assertEquals("tenant/vms-out", fixture.tables.counterName(vmsOut));
            assertEquals(2, counters.hits(fixture.tables, vmsOut));
            assertEquals((syn.length - 14) + (reply.length - 14), counters.bytes(fixture.tables, vmsOut));
            assertEquals(1, counters.hits(fixture.tables, denyTelnet));
            assertEquals(1, counters.hits(fixture.tables, defaultPolicy));
        }
    }

    @Test
    void shouldCarryTheTotalsOfRulesThatKeepTheirNameIntoTheNextGeneration() {
        AclRule denyTelnet = AclRule.builder("deny-telnet", AclFixture.VPC).priority(1).deny()
            .protocol(AclProtocol.TCP).dstPort(23).build();
        AclRule vmsOut = AclRule.builder("vms-out", AclFixture.VPC).priority(2).permit().protocol(AclProtocol.TCP)
            .srcPrefix("10.0.0.0/24").established(true).build();
        AclRule namedDefault = AclRule.builder("default", AclFixture.VPC).priority(3).permit()
            .protocol(AclProtocol.UDP).dstPort(9).build();
        byte[] syn = ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443).tcpFlags(FLAG_SYN).build();
        byte[] reply = ether().ipv4("203.0.113.9", "10.0.0.30").tcp(443, 50000).tcpFlags(FLAG_ACK).payload(100).build();
        byte[] telnet = ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50001, 23).tcpFlags(FLAG_SYN).build();
        byte[] stranger = ether().ipv4("198.51.100.1", "10.0.0.30").udp(1, 2).build();
        byte[] discard = ether().ipv4("198.51.100.1", "10.0.0.30").udp(1, 9).payload(10).build();
        byte[] laterSyn = ether().ipv4("10.0.0.31", "203.0.113.9").tcp(50002, 443).tcpFlags(FLAG_SYN).build();
        try (AclFixture fixture = new AclFixture(List.of(denyTelnet, vmsOut, namedDefault), AclAction.DENY)) {
            fixture.run(syn, fixture.ipv4());
            fixture.run(reply, fixture.ipv4());
            fixture.run(telnet, fixture.ipv4());
            fixture.run(stranger, fixture.ipv4());
            fixture.run(discard, fixture.ipv4());

            // Replace: a new rule first (every id moves), vms-out and "default" kept, deny-telnet gone.
            AclRule newFirst = AclRule.builder("new-first", AclFixture.VPC).priority(0).permit()
                .protocol(AclProtocol.UDP).dstPort(7).build();
            fixture.publish(List.of(newFirst, vmsOut, namedDefault), AclAction.DENY);
            fixture.run(laterSyn, fixture.ipv4()); // the worker's first batch under the new rules

            AclRuleCounters counters = fixture.runtime.counters();
            var classifier = fixture.tables.classifier(AclFixture.VRF);
            int newFirstId = classifier.ruleId(0);
            int vmsOutId = classifier.ruleId(1);
            int namedDefaultId = classifier.ruleId(2);
            int defaultPolicy = fixture.tables.defaultCounterId(AclFixture.VRF);
            assertEquals("tenant/vms-out", fixture.tables.counterName(vmsOutId));
            assertEquals(3, counters.hits(fixture.tables, vmsOutId), "two before the replace, one after");
            assertEquals((syn.length - 14) + (reply.length - 14) + (laterSyn.length - 14),
                counters.bytes(fixture.tables, vmsOutId));
            assertEquals(1, counters.hits(fixture.tables, namedDefaultId), "a rule named 'default' keeps its own");
            assertEquals(discard.length - 14, counters.bytes(fixture.tables, namedDefaultId));
            assertEquals(1, counters.hits(fixture.tables, defaultPolicy), "the default policy keeps its total");
            assertEquals(stranger.length - 14, counters.bytes(fixture.tables, defaultPolicy));
            assertEquals(0, counters.hits(fixture.tables, newFirstId), "a new rule starts at zero");
        }
    }
}
