package io.softgate.acl.stage;

import static io.softgate.acl.stage.AclFixture.ether;
import static io.softgate.core.packet.TcpFlyweight.FLAG_ACK;
import static io.softgate.core.packet.TcpFlyweight.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * The ACL stage as a golden table: one rule set (default deny), then packets in order, each
 * with the verdict it must get and the counter that must move. Rows depend on earlier rows
 * where the point is state (a reply after its request).
 */
class AclStageGoldenTest {
    private static final String NEXT = "next";
    private static final String DROP = StageHarness.DROPPED;

    private static final List<AclRule> RULES = List.of(
        AclRule.builder("deny-ssh-to-vm5", AclFixture.VPC).priority(10).deny().protocol(AclProtocol.TCP)
            .dstPrefix("10.0.0.5/32").dstPort(22).build(),
        AclRule.builder("web-in", AclFixture.VPC).priority(20).permit().protocol(AclProtocol.TCP)
            .dstPrefix("10.0.0.0/24").dstPort(80).build(),
        AclRule.builder("vms-out-tcp", AclFixture.VPC).priority(30).permit().protocol(AclProtocol.TCP)
            .srcPrefix("10.0.0.0/25").dstPrefix("0.0.0.0/0").established(true).build(),
        AclRule.builder("dns-out", AclFixture.VPC).priority(40).permit().protocol(AclProtocol.UDP)
            .srcPrefix("10.0.0.0/24").dstPort(53).reverse(true).build(),
        AclRule.builder("ping-out", AclFixture.VPC).priority(50).permit().protocol(AclProtocol.ICMP)
            .srcPrefix("10.0.0.0/24").icmpType(8).reverse(true).build(),
        AclRule.builder("v6-https-in", AclFixture.VPC).priority(60).permit().protocol(AclProtocol.TCP)
            .dstPrefix("2001:db8::/64").dstPort(443).build(),
        AclRule.builder("bulk-udp-in", AclFixture.VPC).priority(70).permit().protocol(AclProtocol.UDP)
            .dstPrefix("10.0.0.9/32").dstPort(5000).build());

    /** One row: what is sent, how the slot is preset, the verdict, and the counter that moves. */
    private record Row(String description, byte[] packet, Function<AclFixture, IntConsumer> presets,
                       String verdict, String counter) {
    }

    private static Row v4(String description, byte[] packet, String verdict, String counter) {
        return new Row(description, packet, AclFixture::ipv4, verdict, counter);
    }

    private static final List<Row> TABLE = List.of(
        v4("a permit rule lets a web request in",
            ether().ipv4("198.51.100.7", "10.0.0.200").tcp(40000, 80).tcpFlags(FLAG_SYN).build(), NEXT, null),
        v4("the web reply is not return traffic of a stateful rule: judged by rules, default deny",
            ether().ipv4("10.0.0.200", "198.51.100.7").tcp(80, 40000).tcpFlags(FLAG_SYN | FLAG_ACK).build(),
            DROP, "drop.default-denied"),
        v4("a deny rule stops ssh to the VM",
            ether().ipv4("198.51.100.7", "10.0.0.5").tcp(40001, 22).tcpFlags(FLAG_SYN).build(),
            DROP, "drop.rule-denied"),
        v4("nothing matches: the VPC's default policy denies",
            ether().ipv4("198.51.100.7", "10.0.0.20").udp(40002, 9999).build(), DROP, "drop.default-denied"),
        v4("a VM opens a TCP connection out (established rule)",
            ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443).tcpFlags(FLAG_SYN).build(), NEXT,
            "flows-created"),
        v4("established: the SYN-ACK comes back through the flow table",
            ether().ipv4("203.0.113.9", "10.0.0.30").tcp(443, 50000).tcpFlags(FLAG_SYN | FLAG_ACK).build(), NEXT,
            "return-passed"),
        v4("established: a bare SYN on the reply tuple is a new connection, default deny",
            ether().ipv4("203.0.113.9", "10.0.0.30").tcp(443, 50000).tcpFlags(FLAG_SYN).build(), DROP,
            "drop.default-denied"),
        v4("established: an ACK from a peer the VM never contacted is denied",
            ether().ipv4("203.0.113.10", "10.0.0.30").tcp(443, 50000).tcpFlags(FLAG_ACK).build(), DROP,
            "drop.default-denied"),
        v4("related: a 'fragmentation needed' error about the VM's connection comes in (RFC 1191)",
            ether().ipv4("192.0.2.254", "10.0.0.30").icmp(3, 4, 1400)
                .payload(quote(ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443).tcpFlags(FLAG_SYN).build()))
                .build(), NEXT, "related-icmp-passed"),
        v4("related: an error quoting the VM's connection but sent to another VM is not related (RFC 792)",
            ether().ipv4("198.51.100.66", "10.0.0.99").icmp(3, 3, 0)
                .payload(quote(ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443).tcpFlags(FLAG_SYN).build()))
                .build(), DROP, "drop.default-denied"),
        v4("related: an error quoting a connection nobody opened is judged by the rules",
            ether().ipv4("192.0.2.254", "10.0.0.30").icmp(3, 4, 1400)
                .payload(quote(ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50001, 443).tcpFlags(FLAG_SYN).build()))
                .build(), DROP, "drop.default-denied"),
        v4("reverse: a DNS query goes out",
            ether().ipv4("10.0.0.30", "192.0.2.53").udp(5353, 53).build(), NEXT, "flows-created"),
        v4("reverse: its answer comes back",
            ether().ipv4("192.0.2.53", "10.0.0.30").udp(53, 5353).build(), NEXT, "return-passed"),
        v4("reverse: the same server from another port is denied",
            ether().ipv4("192.0.2.53", "10.0.0.30").udp(54, 5353).build(), DROP, "drop.default-denied"),
        v4("ICMP type: an echo request of the permitted type goes out",
            ether().ipv4("10.0.0.30", "192.0.2.1").icmp(8, 0, (7 << 16) | 1).build(), NEXT, "flows-created"),
        v4("ICMP type: the echo reply with the same identifier comes back",
            ether().ipv4("192.0.2.1", "10.0.0.30").icmp(0, 0, (7 << 16) | 1).build(), NEXT, "return-passed"),
        v4("ICMP type: an echo request with the ping's identifier is not its return traffic",
            ether().ipv4("192.0.2.1", "10.0.0.30").icmp(8, 0, (7 << 16) | 1).build(), DROP, "drop.default-denied"),
        v4("ICMP type: nor is a timestamp request with that identifier",
            ether().ipv4("192.0.2.1", "10.0.0.30").icmp(13, 0, (7 << 16) | 1).payload(12).build(), DROP,
            "drop.default-denied"),
        v4("ICMP type: an echo reply with another identifier is denied",
            ether().ipv4("192.0.2.1", "10.0.0.30").icmp(0, 0, (8 << 16) | 1).build(), DROP, "drop.default-denied"),
        v4("ICMP type: a timestamp request is not the permitted type",
            ether().ipv4("10.0.0.30", "192.0.2.1").icmp(13, 0, 0).payload(12).build(), DROP, "drop.default-denied"),
        new Row("IPv6: a permit rule on an IPv6 prefix and port",
            ether().ipv6("2001:db8:ffff::1", "2001:db8::10").tcp(40000, 443).tcpFlags(FLAG_SYN).build(),
            AclFixture::ipv6, NEXT, null),
        new Row("IPv6: another port is denied by default",
            ether().ipv6("2001:db8:ffff::1", "2001:db8::10").tcp(40000, 8443).tcpFlags(FLAG_SYN).build(),
            AclFixture::ipv6, DROP, "drop.default-denied"),
        new Row("fragments: a non-first fragment to a host a port rule permits passes (ports unknown)",
            ether().ipv4("198.51.100.7", "10.0.0.9").fragment(false, 1480).rawProtocol(17).payload(40).build(),
            fixture -> fixture.ipv4(PacketFlags.FRAGMENT | PacketFlags.NON_FIRST_FRAGMENT), NEXT, null),
        new Row("fragments: a non-first fragment to a host no rule permits is denied",
            ether().ipv4("198.51.100.7", "10.0.0.11").fragment(false, 1480).rawProtocol(17).payload(40).build(),
            fixture -> fixture.ipv4(PacketFlags.FRAGMENT | PacketFlags.NON_FIRST_FRAGMENT), DROP,
            "drop.default-denied"),
        new Row("fragments: a non-first IPv6 fragment is classified on its Fragment header's Next Header",
            v6NonFirstFragment(6, new byte[] {(byte) 0x9c, 0x40, 0x01, (byte) 0xbb, 0, 0, 0, 0}),
            AclStageGoldenTest::v6NonFirstFragmentPresets, NEXT, null),
        new Row("fragments: ... not on its data, which only looks like a header naming TCP (RFC 8200 §4.5)",
            v6NonFirstFragment(60, new byte[] {6, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}),
            AclStageGoldenTest::v6NonFirstFragmentPresets, DROP, "drop.default-denied"),
        new Row("fragments: a non-first IPv6 fragment whose data would not parse as a header is not malformed",
            v6NonFirstFragment(60, new byte[] {17, (byte) 0xFF, 0, 0, 0, 0, 0, 0}),
            AclStageGoldenTest::v6NonFirstFragmentPresets, DROP, "drop.default-denied"),
        v4("a TCP header cut short is dropped, not guessed",
            ether().ipv4("198.51.100.7", "10.0.0.200").tcp(40000, 80).truncateTo(14 + 20 + 10).build(), DROP,
            "drop.truncated-l4-header"),
        new Row("a VRF without an ACL is not filtered",
            ether().ipv4("198.51.100.7", "10.9.9.9").udp(1, 2).build(),
            fixture -> AclFixture.ipv4(fixture.harness, AclFixture.OTHER_VRF, 0), NEXT, "unfiltered"));

    /** A non-first IPv6 fragment to 2001:db8::10 whose Fragment header names {@code nextHeader}. */
    private static byte[] v6NonFirstFragment(int nextHeader, byte[] data) {
        byte[] fragment = {(byte) nextHeader, 0, (byte) (1448 >> 8), (byte) (1448 & 0xF8), 0, 0, 0, 9};
        return ether().ipv6("2001:db8:ffff::1", "2001:db8::10").ipv6ExtensionHeaders(44, fragment)
            .rawProtocol(nextHeader).payload(data).build();
    }

    /** Slot metadata as decap sets it for a non-first IPv6 fragment: no L4 offset. */
    private static IntConsumer v6NonFirstFragmentPresets(AclFixture fixture) {
        IntConsumer ipv6 = AclFixture.ipv6(fixture.harness, AclFixture.VRF,
            PacketFlags.FRAGMENT | PacketFlags.NON_FIRST_FRAGMENT);
        return slot -> {
            ipv6.accept(slot);
            fixture.harness.batch().l4Offset[slot] = -1;
        };
    }

    /** What an ICMP error quotes: the offending packet's IP header and first 8 bytes of data. */
    private static byte[] quote(byte[] frame) {
        return java.util.Arrays.copyOfRange(frame, AclFixture.ETHERNET, AclFixture.ETHERNET + 20 + 8);
    }

    @Test
    void shouldGiveEveryRowItsVerdictAndCounter() {
        try (AclFixture fixture = new AclFixture(RULES, AclAction.DENY)) {
            for (Row row : TABLE) {
                long before = row.counter() == null ? 0 : fixture.counter(row.counter());
                StageHarness.Outcome outcome = fixture.harness.run(row.packet(), row.presets().apply(fixture));
                assertEquals(row.verdict(), outcome.verdict(), row.description());
                if (row.counter() != null) {
                    assertEquals(before + 1, fixture.counter(row.counter()), row.description() + ": " + row.counter());
                }
                // The ACL never rewrites a packet.
                assertArrayEquals(row.packet(), outcome.packet(), row.description());
            }
        }
    }
}
