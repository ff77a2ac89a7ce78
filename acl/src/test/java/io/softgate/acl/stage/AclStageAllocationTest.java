package io.softgate.acl.stage;

import static io.softgate.acl.stage.AclFixture.ether;
import static io.softgate.core.packet.TcpFlyweight.FLAG_ACK;
import static io.softgate.core.packet.TcpFlyweight.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.testkit.AllocationProbe;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** In steady state the ACL stage allocates nothing: classification, flow lookups, counters. */
class AclStageAllocationTest {
    @Test
    void shouldNotAllocateInSteadyState() {
        List<AclRule> rules = new ArrayList<>();
        rules.add(AclRule.builder("vms-out", AclFixture.VPC).priority(1).permit().protocol(AclProtocol.TCP)
            .srcPrefix("10.0.0.0/24").established(true).build());
        rules.add(AclRule.builder("deny-ssh", AclFixture.VPC).priority(2).deny().protocol(AclProtocol.TCP)
            .dstPort(22).build());
        rules.add(AclRule.builder("v6-in", AclFixture.VPC).priority(3).permit().dstPrefix("2001:db8::/64").build());
        List<byte[]> packets = List.of(
            ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443).tcpFlags(FLAG_SYN).build(),
            ether().ipv4("203.0.113.9", "10.0.0.30").tcp(443, 50000).tcpFlags(FLAG_ACK).build(),
            ether().ipv4("198.51.100.1", "10.0.0.5").tcp(4000, 22).tcpFlags(FLAG_SYN).build(),
            ether().ipv4("198.51.100.1", "10.0.0.5").udp(4000, 53).build(),
            ether().ipv6("2001:db8:1::1", "2001:db8::5").udp(4000, 53).build(),
            ether().ipv4("198.51.100.1", "10.0.0.5").fragment(false, 8).rawProtocol(17).payload(16).build(),
            ether().ipv4("192.0.2.254", "10.0.0.30").icmp(3, 4, 1400).payload(java.util.Arrays.copyOfRange(
                ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443).build(), 14, 14 + 28)).build());
        try (AclFixture fixture = new AclFixture(rules, AclAction.DENY)) {
            PacketBatch batch = fixture.harness.batch();
            fixture.harness.load(packets, slot -> {
                boolean v6 = slot == 4;
                boolean fragment = slot == 5;
                batch.vrf[slot] = AclFixture.VRF;
                batch.l3Offset[slot] = batch.offset[slot] + AclFixture.ETHERNET;
                batch.l4Offset[slot] = fragment ? -1 : batch.l3Offset[slot] + (v6 ? 40 : 20);
                batch.flags[slot] = (v6 ? PacketFlags.INNER_IPV6 : 0)
                    | (fragment ? PacketFlags.FRAGMENT | PacketFlags.NON_FIRST_FRAGMENT : 0);
            });
            long bytes = AllocationProbe.bytesPerRun(fixture.harness::processLoaded, 20_000, 2_000);
            fixture.harness.releaseAll();
            assertEquals(0, bytes, "bytes allocated per batch");
            // The batch did what it should, so the loop measured the real paths.
            assertEquals(1, fixture.counter("flows-created"));
            assertTrue(fixture.counter("return-passed") > 1_000);
            assertTrue(fixture.counter("drop.rule-denied") > 1_000);
            assertTrue(fixture.counter("drop.default-denied") > 1_000);
            assertTrue(fixture.counter("related-icmp-passed") > 1_000);
        }
    }
}
