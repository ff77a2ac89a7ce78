package io.softgate.acl.stage;

import static io.softgate.acl.stage.AclFixture.ether;
import static io.softgate.core.packet.TcpFlyweight.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.core.pipeline.StageHarness;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * ICMP errors pass as related to a permitted flow only when they go to the source of the packet
 * they quote (RFC 792, RFC 4443 §2.4), in both families and both directions of the flow: an error
 * about a VM's flow sent to another VM is classified like any packet (default deny here).
 */
class AclRelatedIcmpTest {
    private static final String NEXT = "next";
    private static final String DROP = StageHarness.DROPPED;

    private static final List<AclRule> RULES = List.of(
        AclRule.builder("vms-out-tcp", AclFixture.VPC).priority(10).permit().protocol(AclProtocol.TCP)
            .srcPrefix("10.0.0.0/24").established(true).build(),
        AclRule.builder("dns-out", AclFixture.VPC).priority(20).permit().protocol(AclProtocol.UDP)
            .srcPrefix("10.0.0.0/24").dstPort(53).reverse(true).build(),
        AclRule.builder("v6-vms-out-tcp", AclFixture.VPC).priority(30).permit().protocol(AclProtocol.TCP)
            .srcPrefix("2001:db8::/64").established(true).build(),
        AclRule.builder("v6-dns-out", AclFixture.VPC).priority(40).permit().protocol(AclProtocol.UDP)
            .srcPrefix("2001:db8::/64").dstPort(53).reverse(true).build(),
        AclRule.builder("ping-out", AclFixture.VPC).priority(50).permit().protocol(AclProtocol.ICMP)
            .srcPrefix("10.0.0.0/24").icmpType(8).reverse(true).build());

    private static byte[] quote4(byte[] frame) {
        return Arrays.copyOfRange(frame, AclFixture.ETHERNET, AclFixture.ETHERNET + 20 + 8);
    }

    private static byte[] quote6(byte[] frame) {
        return Arrays.copyOfRange(frame, AclFixture.ETHERNET, AclFixture.ETHERNET + 40 + 8);
    }

    private static void expect(AclFixture fixture, String description, byte[] packet, IntConsumer presets,
                               String verdict, String counter) {
        long before = fixture.counter(counter);
        assertEquals(verdict, fixture.run(packet, presets), description);
        assertEquals(before + 1, fixture.counter(counter), description + ": " + counter);
    }

    @Test
    void shouldPassAnIpv4ErrorOnlyToTheQuotedPacketsSource() {
        try (AclFixture fixture = new AclFixture(RULES, AclAction.DENY)) {
            byte[] syn = ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443).tcpFlags(FLAG_SYN).build();
            expect(fixture, "the VM opens a connection", syn, fixture.ipv4(), NEXT, "flows-created");
            // Forward direction: the error quotes the VM's own packet.
            expect(fixture, "port unreachable to the VM about its connection",
                ether().ipv4("198.51.100.66", "10.0.0.30").icmp(3, 3, 0).payload(quote4(syn)).build(),
                fixture.ipv4(), NEXT, "related-icmp-passed");
            expect(fixture, "the same error sent to another VM is not related",
                ether().ipv4("198.51.100.66", "10.0.0.99").icmp(3, 3, 0).payload(quote4(syn)).build(),
                fixture.ipv4(), DROP, "drop.default-denied");
            expect(fixture, "nor sent to the peer the quoted packet went to",
                ether().ipv4("198.51.100.66", "203.0.113.9").icmp(3, 3, 0).payload(quote4(syn)).build(),
                fixture.ipv4(), DROP, "drop.default-denied");

            // Return direction: the error quotes the peer's reply and goes back to the peer.
            byte[] query = ether().ipv4("10.0.0.30", "192.0.2.53").udp(5353, 53).build();
            byte[] answer = ether().ipv4("192.0.2.53", "10.0.0.30").udp(53, 5353).build();
            expect(fixture, "a DNS query goes out", query, fixture.ipv4(), NEXT, "flows-created");
            expect(fixture, "its answer comes back", answer, fixture.ipv4(), NEXT, "return-passed");
            expect(fixture, "the VM's port unreachable about the answer goes to the server",
                ether().ipv4("10.0.0.30", "192.0.2.53").icmp(3, 3, 0).payload(quote4(answer)).build(),
                fixture.ipv4(), NEXT, "related-icmp-passed");
            expect(fixture, "the same error to a third host is not related",
                ether().ipv4("10.0.0.30", "192.0.2.99").icmp(3, 3, 0).payload(quote4(answer)).build(),
                fixture.ipv4(), DROP, "drop.default-denied");
        }
    }

    @Test
    void shouldPassAnIpv6ErrorOnlyToTheQuotedPacketsSource() {
        try (AclFixture fixture = new AclFixture(RULES, AclAction.DENY)) {
            byte[] syn = ether().ipv6("2001:db8::30", "2001:db8:ffff::9").tcp(50000, 443).tcpFlags(FLAG_SYN)
                .build();
            expect(fixture, "the VM opens a connection", syn, fixture.ipv6(), NEXT, "flows-created");
            expect(fixture, "packet too big to the VM about its connection",
                ether().ipv6("2001:db8:eeee::1", "2001:db8::30").icmp(2, 0, 1280).payload(quote6(syn)).build(),
                fixture.ipv6(), NEXT, "related-icmp-passed");
            expect(fixture, "the same error sent to another VM is not related",
                ether().ipv6("2001:db8:eeee::1", "2001:db8::99").icmp(2, 0, 1280).payload(quote6(syn)).build(),
                fixture.ipv6(), DROP, "drop.default-denied");
            expect(fixture, "nor to an address that differs from the source only in its low half",
                ether().ipv6("2001:db8:eeee::1", "2001:db8::31").icmp(1, 3, 0).payload(quote6(syn)).build(),
                fixture.ipv6(), DROP, "drop.default-denied");
            expect(fixture, "nor to one that differs only in its high half",
                ether().ipv6("2001:db8:eeee::1", "2001:db9::30").icmp(1, 3, 0).payload(quote6(syn)).build(),
                fixture.ipv6(), DROP, "drop.default-denied");

            byte[] query = ether().ipv6("2001:db8::30", "2001:db8:ffff::53").udp(5353, 53).build();
            byte[] answer = ether().ipv6("2001:db8:ffff::53", "2001:db8::30").udp(53, 5353).build();
            expect(fixture, "a DNS query goes out", query, fixture.ipv6(), NEXT, "flows-created");
            expect(fixture, "its answer comes back", answer, fixture.ipv6(), NEXT, "return-passed");
            expect(fixture, "the VM's port unreachable about the answer goes to the server",
                ether().ipv6("2001:db8::30", "2001:db8:ffff::53").icmp(1, 4, 0).payload(quote6(answer)).build(),
                fixture.ipv6(), NEXT, "related-icmp-passed");
            expect(fixture, "the same error to a third host is not related",
                ether().ipv6("2001:db8::30", "2001:db8:ffff::99").icmp(1, 4, 0).payload(quote6(answer)).build(),
                fixture.ipv6(), DROP, "drop.default-denied");
        }
    }
}
