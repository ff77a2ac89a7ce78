package io.softgate.acl.stage;

import static io.softgate.acl.stage.AclFixture.ether;
import static io.softgate.core.packet.TcpFlyweight.FLAG_ACK;
import static io.softgate.core.packet.TcpFlyweight.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both directions of a connection find the same state, whichever worker and placement they meet. */
class AclSharedStateTest {
    @Test
    void shouldLetTheReplyThroughTheIngressStageOfAnotherWorker() {
        List<AclRule> rules = List.of(AclRule.builder("vms-out", AclFixture.VPC).priority(1).permit()
            .protocol(AclProtocol.TCP).srcPrefix("10.0.0.0/24").established(true).build());
        try (AclFixture fixture = new AclFixture(rules, AclAction.DENY)) {
            StageHarness egressOnWorker0 = fixture.harness;
            StageHarness ingressOnWorker1 = new StageHarness(
                new AclStageFactory(AclStageFactory.INGRESS, "route", fixture.runtime).create(1),
                fixture.publisher.current());
            ingressOnWorker1.nowNs(2_000_000_000L);
            byte[] syn = ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443).tcpFlags(FLAG_SYN).build();
            byte[] reply = ether().ipv4("203.0.113.9", "10.0.0.30").tcp(443, 50000).tcpFlags(FLAG_ACK).build();

            assertEquals("next", egressOnWorker0.run(syn, fixture.ipv4()).verdict());
            assertEquals("route", ingressOnWorker1.run(reply,
                AclFixture.ipv4(ingressOnWorker1, AclFixture.VRF, PacketFlags.FROM_OUTSIDE)).verdict());
            assertEquals(2, fixture.runtime.counters().hits(fixture.tables, fixture.tables.classifier(AclFixture.VRF).ruleId(0)));
        }
    }

    @Test
    void shouldFindTheProtocolBehindIpv6ExtensionHeaders() {
        List<AclRule> rules = List.of(AclRule.builder("v6-https", AclFixture.VPC).priority(1).permit()
            .protocol(AclProtocol.TCP).dstPrefix("2001:db8::/64").dstPort(443).build());
        // A hop-by-hop options header (8 bytes: next header TCP, length 0, PadN) before TCP.
        byte[] hopByHop = {6, 0, 1, 4, 0, 0, 0, 0};
        byte[] packet = ether().ipv6("2001:db8:1::1", "2001:db8::10").ipv6ExtensionHeaders(0, hopByHop)
            .tcp(40000, 443).tcpFlags(FLAG_SYN).build();
        try (AclFixture fixture = new AclFixture(rules, AclAction.DENY)) {
            String verdict = fixture.run(packet, slot -> {
                var batch = fixture.harness.batch();
                batch.vrf[slot] = AclFixture.VRF;
                batch.l3Offset[slot] = batch.offset[slot] + AclFixture.ETHERNET;
                batch.l4Offset[slot] = batch.l3Offset[slot] + 40 + hopByHop.length;
                batch.flags[slot] = PacketFlags.INNER_IPV6;
            });
            assertEquals("next", verdict);
        }
    }
}
