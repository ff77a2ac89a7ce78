package io.softgate.lb.stage;

import static io.softgate.lb.stage.LbFixtures.CLIENT;
import static io.softgate.lb.stage.LbFixtures.DNS_BACKEND;
import static io.softgate.lb.stage.LbFixtures.VIP;
import static io.softgate.lb.stage.LbFixtures.WEB_BACKEND;
import static io.softgate.lb.stage.LbFixtures.frame;
import static io.softgate.lb.stage.LbFixtures.ipPart;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.lb.compile.BackendHealth;
import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.TestVrfs;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden packet tables for both LB stages: each row is a packet in, the verdict, and the exact
 * packet (and VRF) out. Every row starts from a fresh connection table in which one connection,
 * CLIENT:40001 -> VIP:80 (to the web backend), and one UDP flow, CLIENT:5300 -> VIP:53 (to the
 * dns backend), are already established.
 */
class LoadBalancerGoldenTest {
    static final String NEXT = "next";
    static final String DROP = StageHarness.DROPPED;
    static final int ROUTER_MTU = 1400;

    private static GoldenCase outside(String description, byte[] input, String verdict, byte[] output, int vrf) {
        return new GoldenCase(description, input, TestVrfs.PUBLIC, PacketFlags.FROM_OUTSIDE, verdict, output, vrf);
    }

    private static GoldenCase fromVpc(String description, byte[] input, int inputVrf, String verdict, byte[] output, int vrf) {
        return new GoldenCase(description, input, inputVrf, 0, verdict, output, vrf);
    }

    static List<GoldenCase> vipTable() {
        byte[] nonVip = frame().ipv4(CLIENT, "203.0.113.99").tcp(40000, 80).build();
        return List.of(
            outside("TCP SYN to VIP:80 is sent to the web backend 10.1.0.5:8080 in VPC blue, client address kept",
                frame().ipv4(CLIENT, VIP).tcp(40000, 80).tcpFlags(TcpFlyweight.FLAG_SYN).tcpSequence(1000, 0).build(),
                NEXT,
                frame().ipv4(CLIENT, WEB_BACKEND).tcp(40000, 8080).tcpFlags(TcpFlyweight.FLAG_SYN).tcpSequence(1000, 0).build(),
                TestVrfs.BLUE),
            outside("TCP data of the established connection goes to the same backend",
                frame().ipv4(CLIENT, VIP).tcp(40001, 80).tcpSequence(7, 9).payload(100).build(),
                NEXT, frame().ipv4(CLIENT, WEB_BACKEND).tcp(40001, 8080).tcpSequence(7, 9).payload(100).build(), TestVrfs.BLUE),
            outside("UDP to VIP:53 is sent to the dns backend 10.1.0.6:53",
                frame().ipv4(CLIENT, VIP).udp(5353, 53).payload(30).build(),
                NEXT, frame().ipv4(CLIENT, DNS_BACKEND).udp(5353, 53).payload(30).build(), TestVrfs.BLUE),
            outside("UDP without checksum (zero) keeps a zero checksum (RFC 768)",
                frame().ipv4(CLIENT, VIP).udp(5354, 53).zeroUdpChecksum().payload(30).build(),
                NEXT, frame().ipv4(CLIENT, DNS_BACKEND).udp(5354, 53).zeroUdpChecksum().payload(30).build(), TestVrfs.BLUE),
            outside("TCP to a VIP port without a service is dropped as unknown-vip-port",
                frame().ipv4(CLIENT, VIP).tcp(40000, 81).build(), DROP, null, TestVrfs.PUBLIC),
            outside("UDP to a port the VIP serves only over TCP is dropped as unknown-vip-port",
                frame().ipv4(CLIENT, VIP).udp(40000, 80).build(), DROP, null, TestVrfs.PUBLIC),
            outside("ICMP echo to a VIP is dropped as unknown-vip-port",
                frame().ipv4(CLIENT, VIP).icmpEcho(1, 1).build(), DROP, null, TestVrfs.PUBLIC),
            outside("A packet to an address that is no VIP passes untouched in the public VRF",
                nonVip, NEXT, nonVip, TestVrfs.PUBLIC),
            outside("An IPv4 fragment to a VIP is dropped as fragment-to-vip",
                frame().ipv4(CLIENT, VIP).fragment(true, 0).tcp(40000, 80).payload(64).build(), DROP, null, TestVrfs.PUBLIC),
            outside("A TCP header cut short inside the IP length is dropped as malformed",
                frame().ipv4(CLIENT, VIP).tcp(40000, 80).lengthField(30).truncateTo(14 + 30).build(), DROP, null, TestVrfs.PUBLIC),
            outside("ICMP fragmentation-needed about the VIP's reply goes to that connection's backend, embedded header translated",
                frame().ipv4("192.0.2.1", VIP).icmp(IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                    IcmpFlyweight.V4_CODE_FRAGMENTATION_NEEDED, ROUTER_MTU)
                    .payload(ipPart(frame().ipv4(VIP, CLIENT).dontFragment().tcp(80, 40001).tcpSequence(5, 6).build())).build(),
                NEXT,
                frame().ipv4("192.0.2.1", WEB_BACKEND).icmp(IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                    IcmpFlyweight.V4_CODE_FRAGMENTATION_NEEDED, ROUTER_MTU)
                    .payload(ipPart(frame().ipv4(WEB_BACKEND, CLIENT).dontFragment().tcp(8080, 40001).tcpSequence(5, 6).build())).build(),
                TestVrfs.BLUE),
            outside("ICMP port unreachable from the client about a UDP reply goes to the dns backend, UDP checksum patched",
                frame().ipv4(CLIENT, VIP).icmp(IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0)
                    .payload(ipPart(frame().ipv4(VIP, CLIENT).udp(53, 5300).payload(12).build())).build(),
                NEXT,
                frame().ipv4(CLIENT, DNS_BACKEND).icmp(IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0)
                    .payload(ipPart(frame().ipv4(DNS_BACKEND, CLIENT).udp(53, 5300).payload(12).build())).build(),
                TestVrfs.BLUE),
            outside("ICMP error about a connection the VIP never tracked is dropped as icmp-error-without-connection",
                frame().ipv4("192.0.2.1", VIP).icmp(IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                    IcmpFlyweight.V4_CODE_FRAGMENTATION_NEEDED, ROUTER_MTU)
                    .payload(ipPart(frame().ipv4(VIP, CLIENT).tcp(80, 49999).build())).build(),
                DROP, null, TestVrfs.PUBLIC),
            outside("TCP with IPv4 options (IHL 6) to VIP:80 is translated behind the options",
                frame().ipv4(CLIENT, VIP).ipv4Options(new byte[] {1, 1, 1, 0}).tcp(40002, 80).payload(12).build(),
                NEXT, frame().ipv4(CLIENT, WEB_BACKEND).ipv4Options(new byte[] {1, 1, 1, 0}).tcp(40002, 8080).payload(12).build(),
                TestVrfs.BLUE),
            new GoldenCase("A packet to the VIP address inside a VPC VRF is not load-balanced (VIPs live in the public VRF)",
                frame().ipv4("10.1.0.9", VIP).tcp(40000, 80).build(), TestVrfs.BLUE, 0, NEXT,
                frame().ipv4("10.1.0.9", VIP).tcp(40000, 80).build(), TestVrfs.BLUE),
            new GoldenCase("Inner IPv6 passes untouched", frame().ipv6("2001:db8::1", "2001:db8::2").udp(1, 2).build(),
                TestVrfs.PUBLIC, PacketFlags.FROM_OUTSIDE | PacketFlags.INNER_IPV6, NEXT,
                frame().ipv6("2001:db8::1", "2001:db8::2").udp(1, 2).build(), TestVrfs.PUBLIC));
    }

    static List<GoldenCase> replyTable() {
        byte[] unrelated = frame().ipv4(WEB_BACKEND, "198.51.100.8").tcp(8080, 40001).build();
        byte[] sameTupleOtherVpc = frame().ipv4(WEB_BACKEND, CLIENT).tcp(8080, 40001).build();
        return List.of(
            fromVpc("A backend's reply leaves with the VIP:port as source, routed in the public VRF",
                frame().ipv4(WEB_BACKEND, CLIENT).tcp(8080, 40001).tcpFlags(TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK)
                    .tcpSequence(3000, 1001).build(), TestVrfs.BLUE,
                NEXT, frame().ipv4(VIP, CLIENT).tcp(80, 40001).tcpFlags(TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK)
                    .tcpSequence(3000, 1001).build(), TestVrfs.PUBLIC),
            fromVpc("VPC traffic that belongs to no load-balanced connection passes untouched",
                unrelated, TestVrfs.BLUE, NEXT, unrelated, TestVrfs.BLUE),
            fromVpc("A VM's own internet traffic (its source is no backend endpoint) passes untouched",
                frame().ipv4("10.1.0.77", "93.184.216.34").tcp(51000, 443).payload(20).build(), TestVrfs.BLUE, NEXT,
                frame().ipv4("10.1.0.77", "93.184.216.34").tcp(51000, 443).payload(20).build(), TestVrfs.BLUE),
            fromVpc("The same addresses in another VPC (overlapping address space) pass untouched",
                sameTupleOtherVpc, TestVrfs.GREEN, NEXT, sameTupleOtherVpc, TestVrfs.GREEN),
            fromVpc("ICMP fragmentation-needed from the backend about the client's packet leaves from the VIP, embedded header translated",
                frame().ipv4(WEB_BACKEND, CLIENT).icmp(IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                    IcmpFlyweight.V4_CODE_FRAGMENTATION_NEEDED, ROUTER_MTU)
                    .payload(ipPart(frame().ipv4(CLIENT, WEB_BACKEND).dontFragment().tcp(40001, 8080).payload(8).build())).build(),
                TestVrfs.BLUE, NEXT,
                frame().ipv4(VIP, CLIENT).icmp(IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                    IcmpFlyweight.V4_CODE_FRAGMENTATION_NEEDED, ROUTER_MTU)
                    .payload(ipPart(frame().ipv4(CLIENT, VIP).dontFragment().tcp(40001, 80).payload(8).build())).build(),
                TestVrfs.PUBLIC));
    }

    /** Fresh tracker, both stages, and the one established connection CLIENT:40001 -> VIP:80. */
    private static StageHarness[] establishedHarnesses() {
        ConnectionTracker tracker = new ConnectionTracker(1024);
        ConfigSnapshot snapshot = LbFixtures.snapshot(
            LbFixtures.compile(new LoadBalancerCompiler(new TestVrfs()), LbFixtures.referenceConfig(), BackendHealth.ALL_HEALTHY));
        StageHarness vip = new StageHarness(new VipStage(tracker, NEXT), snapshot);
        StageHarness reply = new StageHarness(new ReplyStage(tracker, NEXT), snapshot);
        vip.nowNs(1_000_000_000L);
        reply.nowNs(1_000_000_000L);
        StageHarness.Outcome seed = vip.run(frame().ipv4(CLIENT, VIP).tcp(40001, 80).tcpFlags(TcpFlyweight.FLAG_SYN).build(),
            LbFixtures.fromOutside(vip.batch()));
        assertEquals(NEXT, seed.verdict());
        StageHarness.Outcome udpSeed = vip.run(frame().ipv4(CLIENT, VIP).udp(5300, 53).payload(4).build(),
            LbFixtures.fromOutside(vip.batch()));
        assertEquals(NEXT, udpSeed.verdict());
        return new StageHarness[] {vip, reply};
    }

    private static void check(StageHarness harness, GoldenCase row) {
        StageHarness.Outcome outcome = harness.run(row.input(),
            slot -> LbFixtures.preset(harness.batch(), slot, row.inputVrf(), row.inputFlags()));
        assertEquals(row.expectedVerdict(), outcome.verdict(), "verdict");
        if (row.expectedOutput() != null) {
            assertEquals(HexFormat.of().formatHex(row.expectedOutput()), HexFormat.of().formatHex(outcome.packet()), "packet");
            assertArrayEquals(row.expectedOutput(), outcome.packet());
            assertEquals(row.expectedVrf(), outcome.vrf(), "vrf");
        }
    }

    @TestFactory
    Stream<DynamicTest> vipStageGoldenTable() {
        return vipTable().stream().map(row -> DynamicTest.dynamicTest(row.description(),
            () -> check(establishedHarnesses()[0], row)));
    }

    @TestFactory
    Stream<DynamicTest> replyStageGoldenTable() {
        return replyTable().stream().map(row -> DynamicTest.dynamicTest(row.description(),
            () -> check(establishedHarnesses()[1], row)));
    }
}
