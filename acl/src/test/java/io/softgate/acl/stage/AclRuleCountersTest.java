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
}
