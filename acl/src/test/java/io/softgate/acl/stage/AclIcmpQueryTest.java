package io.softgate.acl.stage;

import static io.softgate.acl.stage.AclFixture.ether;
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
 * The return entry of an ICMP query flow admits only the matching reply with the query's
 * identifier (RFC 792: echo 8/0, timestamp 13/14, information 15/16; RFC 950: address mask
 * 17/18; RFC 4443 §4: echo 128/129), not a query of any type arriving the other way.
 */
class AclIcmpQueryTest {
    private static final String NEXT = "next";
    private static final String DROP = StageHarness.DROPPED;
    private static final String VM = "10.0.0.30";
    private static final String PEER = "192.0.2.1";
    private static final String VM6 = "2001:db8::30";
    private static final String PEER6 = "2001:db8:ffff::1";

    private static final List<AclRule> RULES = List.of(
        AclRule.builder("ping-out", AclFixture.VPC).priority(10).permit().protocol(AclProtocol.ICMP)
            .srcPrefix("10.0.0.0/24").icmpType(8).reverse(true).build(),
        AclRule.builder("timestamp-out", AclFixture.VPC).priority(20).permit().protocol(AclProtocol.ICMP)
            .srcPrefix("10.0.0.0/24").icmpType(13).reverse(true).build(),
        AclRule.builder("information-out", AclFixture.VPC).priority(30).permit().protocol(AclProtocol.ICMP)
            .srcPrefix("10.0.0.0/24").icmpType(15).reverse(true).build(),
        AclRule.builder("mask-out", AclFixture.VPC).priority(40).permit().protocol(AclProtocol.ICMP)
            .srcPrefix("10.0.0.0/24").icmpType(17).reverse(true).build(),
        AclRule.builder("v6-ping-out", AclFixture.VPC).priority(50).permit().protocol(AclProtocol.ICMPV6)
            .srcPrefix("2001:db8::/64").icmpType(128).reverse(true).build());

    private static byte[] icmp4(String source, String destination, int type, int identifier) {
        return ether().ipv4(source, destination).icmp(type, 0, (identifier << 16) | 1).build();
    }

    private static byte[] icmp6(String source, String destination, int type, int identifier) {
        return ether().ipv6(source, destination).icmp(type, 0, (identifier << 16) | 1).build();
    }

    private static void expect(AclFixture fixture, String description, byte[] packet, IntConsumer presets,
                               String verdict, String counter) {
        long before = fixture.counter(counter);
        assertEquals(verdict, fixture.run(packet, presets), description);
        assertEquals(before + 1, fixture.counter(counter), description + ": " + counter);
    }

    @Test
    void shouldAdmitOnlyTheEchoReplyAfterAnEchoRequest() {
        try (AclFixture fixture = new AclFixture(RULES, AclAction.DENY)) {
            expect(fixture, "echo request id 7 goes out", icmp4(VM, PEER, 8, 7), fixture.ipv4(), NEXT,
                "flows-created");
            expect(fixture, "an echo request id 7 from the pinged host is not return traffic",
                icmp4(PEER, VM, 8, 7), fixture.ipv4(), DROP, "drop.default-denied");
            expect(fixture, "nor a timestamp request id 7", icmp4(PEER, VM, 13, 7), fixture.ipv4(), DROP,
                "drop.default-denied");
            expect(fixture, "nor an address mask request id 7", icmp4(PEER, VM, 17, 7), fixture.ipv4(), DROP,
                "drop.default-denied");
            expect(fixture, "nor a timestamp reply id 7", icmp4(PEER, VM, 14, 7), fixture.ipv4(), DROP,
                "drop.default-denied");
            expect(fixture, "the echo reply id 7 is", icmp4(PEER, VM, 0, 7), fixture.ipv4(), NEXT,
                "return-passed");
            assertEquals(NEXT, fixture.run(icmp4(VM, PEER, 8, 7), fixture.ipv4()), "the VM's next echo request");
            expect(fixture, "an error to the VM quoting its echo request is related",
                ether().ipv4("198.51.100.66", VM).icmp(3, 1, 0).payload(quote4(icmp4(VM, PEER, 8, 7))).build(),
                fixture.ipv4(), NEXT, "related-icmp-passed");
            expect(fixture, "an error from the VM quoting the echo reply is related",
                ether().ipv4(VM, PEER).icmp(3, 3, 0).payload(quote4(icmp4(PEER, VM, 0, 7))).build(),
                fixture.ipv4(), NEXT, "related-icmp-passed");
            expect(fixture, "an error from the VM quoting an echo request from the peer is not",
                ether().ipv4(VM, PEER).icmp(3, 3, 0).payload(quote4(icmp4(PEER, VM, 8, 7))).build(),
                fixture.ipv4(), DROP, "drop.default-denied");
        }
    }

    @Test
    void shouldAdmitOnlyTheMatchingReplyOfEachIpv4QueryType() {
        int[][] pairs = {{13, 14}, {15, 16}, {17, 18}};
        try (AclFixture fixture = new AclFixture(RULES, AclAction.DENY)) {
            int identifier = 20;
            for (int[] pair : pairs) {
                int request = pair[0];
                int reply = pair[1];
                String what = "query type " + request + " id " + identifier + ": ";
                expect(fixture, what + "goes out", icmp4(VM, PEER, request, identifier), fixture.ipv4(), NEXT,
                    "flows-created");
                expect(fixture, what + "the same query coming back is not return traffic",
                    icmp4(PEER, VM, request, identifier), fixture.ipv4(), DROP, "drop.default-denied");
                expect(fixture, what + "nor an echo request", icmp4(PEER, VM, 8, identifier), fixture.ipv4(), DROP,
                    "drop.default-denied");
                expect(fixture, what + "nor an echo reply", icmp4(PEER, VM, 0, identifier), fixture.ipv4(), DROP,
                    "drop.default-denied");
                expect(fixture, what + "its reply type " + reply + " is", icmp4(PEER, VM, reply, identifier),
                    fixture.ipv4(), NEXT, "return-passed");
                expect(fixture, what + "its reply with another identifier is not",
                    icmp4(PEER, VM, reply, identifier + 1), fixture.ipv4(), DROP, "drop.default-denied");
                identifier++;
            }
        }
    }

    @Test
    void shouldAdmitOnlyTheIcmpv6EchoReplyAfterAnEchoRequest() {
        try (AclFixture fixture = new AclFixture(RULES, AclAction.DENY)) {
            expect(fixture, "echo request id 7 goes out", icmp6(VM6, PEER6, 128, 7), fixture.ipv6(), NEXT,
                "flows-created");
            expect(fixture, "an echo request id 7 from the pinged host is not return traffic",
                icmp6(PEER6, VM6, 128, 7), fixture.ipv6(), DROP, "drop.default-denied");
            expect(fixture, "the echo reply id 7 is", icmp6(PEER6, VM6, 129, 7), fixture.ipv6(), NEXT,
                "return-passed");
            expect(fixture, "an echo reply with another identifier is not", icmp6(PEER6, VM6, 129, 8),
                fixture.ipv6(), DROP, "drop.default-denied");
            expect(fixture, "an error to the VM quoting its echo request is related",
                ether().ipv6("2001:db8:eeee::1", VM6).icmp(1, 0, 0)
                    .payload(Arrays.copyOfRange(icmp6(VM6, PEER6, 128, 7), AclFixture.ETHERNET,
                        AclFixture.ETHERNET + 48)).build(),
                fixture.ipv6(), NEXT, "related-icmp-passed");
        }
    }

    private static byte[] quote4(byte[] frame) {
        return Arrays.copyOfRange(frame, AclFixture.ETHERNET, AclFixture.ETHERNET + 20 + 8);
    }
}
