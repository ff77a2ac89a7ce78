package io.softgate.evpn.forwarding.stage;

import static io.softgate.evpn.forwarding.ForwardingFixture.*;
import static io.softgate.evpn.forwarding.Packets.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.ForwardingFixture;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.table.AdjacencyTable;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden packet table for {@code vrf-route}: inner IP packets as decap leaves them, and what
 * leaves the stage: the same packet one hop older, an ICMP error in its place, or a counted drop.
 */
class VrfRouteStageTest {
    private static final String ENCAP = VxlanEncapStage.NAME;
    private static final String VM1 = "10.0.1.10";
    private static final String VM2 = "10.0.2.20";
    private static final String VM1_V6 = "2001:db8:1::10";
    private static final String VM2_V6 = "2001:db8:2::20";
    private static final int INNER_MTU = 1450;

    private static PacketBuilder v4(String destination) {
        return PacketBuilder.ethernet(1, 2).ipv4(VM1, destination);
    }

    private static PacketBuilder v6(String destination) {
        return PacketBuilder.ethernet(1, 2).ipv6(VM1_V6, destination);
    }

    private static byte[] timeExceeded(byte[] original) {
        return ip(PacketBuilder.ethernet(0, 0).ipv4(TENANT_A_GATEWAY, VM1).ttl(64).dontFragment().icmp(11, 0, 0)
            .payload(original));
    }

    static Stream<Arguments> table() {
        byte[] ttlOne = ip(v4(VM2).ttl(1).udp(1000, 2000).payload(22));
        byte[] ttlZero = ip(v4(VM2).ttl(0).udp(1000, 2000).payload(22));
        byte[] echoTtlOne = ip(v4(VM2).ttl(1).icmpEcho(7, 1).payload(16));
        byte[] oversizeDf = ip(v4(VM2).dontFragment().udp(1, 2).payload(INNER_MTU + 1 - 28));
        byte[] noRoute = ip(v4("10.0.7.1").udp(1, 2).payload(4));
        byte[] hopLimitOne = ip(v6(VM2_V6).hopLimit(1).udp(1, 2).payload(8));
        byte[] tooBigV6 = ip(v6(VM2_V6).udp(1, 2).payload(INNER_MTU + 1 - 48));
        byte[] noRouteV6 = ip(v6("2001:db8:7::1").udp(1, 2).payload(4));
        return Stream.of(
            row("IPv4 to vm2: TTL 64 -> 63, to hv2", v4(VM2).ttl(64).udp(1000, 2000).payload(22), "tenant-a",
                ENCAP, null, ip(v4(VM2).ttl(63).udp(1000, 2000).payload(22)), HV2_VTEP, null),
            row("IPv6 to vm2: hop limit 64 -> 63, to hv2", v6(VM2_V6).hopLimit(64).tcp(1, 2), "tenant-a",
                ENCAP, null, ip(v6(VM2_V6).hopLimit(63).tcp(1, 2)), HV2_VTEP, null),
            row("IPv4 of exactly the inner MTU with DF is forwarded",
                v4(VM2).dontFragment().udp(1, 2).payload(INNER_MTU - 28), "tenant-a", ENCAP, null,
                ip(v4(VM2).ttl(63).dontFragment().udp(1, 2).payload(INNER_MTU - 28)), HV2_VTEP, null),
            row("TTL 1: time exceeded back to vm1 via hv1", ttlOne, "tenant-a", ENCAP, null, timeExceeded(ttlOne),
                HV1_VTEP, "icmp-time-exceeded-sent"),
            row("TTL 0: time exceeded", ttlZero, "tenant-a", ENCAP, null, timeExceeded(ttlZero), HV1_VTEP,
                "icmp-time-exceeded-sent"),
            row("echo request with TTL 1: time exceeded (queries may be reported)", echoTtlOne, "tenant-a", ENCAP,
                null, timeExceeded(echoTtlOne), HV1_VTEP, "icmp-time-exceeded-sent"),
            row("oversize with DF: fragmentation needed, MTU 1450, 548-byte quote", oversizeDf, "tenant-a", ENCAP,
                null, ip(PacketBuilder.ethernet(0, 0).ipv4(TENANT_A_GATEWAY, VM1).ttl(64).dontFragment()
                    .icmp(3, 4, INNER_MTU).payload(Arrays.copyOf(oversizeDf, 548))), HV1_VTEP, "icmp-too-big-sent"),
            row("oversize without DF: dropped (no in-path fragmentation)",
                v4(VM2).udp(1, 2).payload(INNER_MTU + 1 - 28), "tenant-a", null, "fragmentation-not-supported", null,
                null, null),
            row("no route: net unreachable", noRoute, "tenant-a", ENCAP, null,
                ip(PacketBuilder.ethernet(0, 0).ipv4(TENANT_A_GATEWAY, VM1).ttl(64).dontFragment().icmp(3, 0, 0)
                    .payload(noRoute)), HV1_VTEP, "icmp-unreachable-sent"),
            row("blackhole route", v4("10.0.9.1").udp(1, 2), "tenant-a", null, "blackhole", null, null, null),
            row("addressed to the VRF gateway (local)", v4(TENANT_A_GATEWAY).icmpEcho(1, 1), "tenant-a", null,
                "local-destination", null, null, null),
            row("TTL 1 on an ICMP error: no error about an error (RFC 1812 §4.3.2.7)",
                v4(VM2).ttl(1).icmp(11, 0, 0).payload(28), "tenant-a", null, "ttl-expired", null, null,
                "icmp-not-permitted"),
            row("TTL 1 on a non-first fragment: no error", v4(VM2).ttl(1).fragment(false, 64).protocol(17)
                .payload(20), "tenant-a", null, "ttl-expired", null, null, "icmp-not-permitted"),
            row("no route to a multicast destination: no error", v4("239.1.1.1").udp(1, 2), "tenant-a", null,
                "no-route", null, null, "icmp-not-permitted"),
            row("TTL 1 from a source we cannot reach: no error",
                PacketBuilder.ethernet(1, 2).ipv4("10.0.7.7", VM2).ttl(1).udp(1, 2), "tenant-a", null, "ttl-expired",
                null, null, "icmp-no-route-back"),
            row("no route in a VRF without a gateway address: no error", v4(VM2).udp(1, 2), "tenant-b", null,
                "no-route", null, null, "icmp-no-source-address"),
            row("IPv6 hop limit 1: time exceeded", hopLimitOne, "tenant-a", ENCAP, null,
                ip(PacketBuilder.ethernet(0, 0).ipv6(TENANT_A_GATEWAY_V6, VM1_V6).hopLimit(64).icmp(3, 0, 0)
                    .payload(hopLimitOne)), HV1_VTEP, "icmp-time-exceeded-sent"),
            row("IPv6 oversize: packet too big, MTU 1450, 1232-byte quote", tooBigV6, "tenant-a", ENCAP, null,
                ip(PacketBuilder.ethernet(0, 0).ipv6(TENANT_A_GATEWAY_V6, VM1_V6).hopLimit(64)
                    .icmp(2, 0, INNER_MTU).payload(Arrays.copyOf(tooBigV6, 1232))), HV1_VTEP, "icmp-too-big-sent"),
            row("IPv6 no route: destination unreachable code 0", noRouteV6, "tenant-a", ENCAP, null,
                ip(PacketBuilder.ethernet(0, 0).ipv6(TENANT_A_GATEWAY_V6, VM1_V6).hopLimit(64).icmp(1, 0, 0)
                    .payload(noRouteV6)), HV1_VTEP, "icmp-unreachable-sent"),
            row("IPv6 hop limit 1 on an ICMPv6 error: no error (RFC 4443 §2.4(e))",
                v6(VM2_V6).hopLimit(1).icmp(1, 0, 0).payload(48), "tenant-a", null, "ttl-expired", null, null,
                "icmp-not-permitted"),
            row("IPv6 from the unspecified address: no error",
                PacketBuilder.ethernet(1, 2).ipv6("::", VM2_V6).hopLimit(1).udp(1, 2), "tenant-a", null,
                "ttl-expired", null, null, "icmp-not-permitted"));
    }

    private static Arguments row(String description, Object input, String vrf, String verdict, String dropLabel,
                                 byte[] output, String adjacencyVtep, String event) {
        byte[] packet = input instanceof PacketBuilder builder ? ip(builder) : (byte[]) input;
        return Arguments.of(description, packet, vrf, verdict, dropLabel, output, adjacencyVtep, event);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void shouldMatchGoldenTable(String description, byte[] input, String vrf, String verdict, String dropLabel,
                                byte[] output, String adjacencyVtep, String event) {
        ForwardingTables tables = ForwardingFixture.tables();
        StageHarness harness = new StageHarness(new VrfRouteStage(), ForwardingFixture.snapshot(tables));

        StageHarness.Outcome outcome = runDecapsulated(harness, input, tables.vrfIndex(vrf));

        if (dropLabel != null) {
            assertEquals(StageHarness.DROPPED, outcome.verdict(), description);
            assertEquals(1, harness.counter(VrfRouteStage.NAME + ".drop." + dropLabel), description);
        } else {
            assertEquals(verdict, outcome.verdict(), description);
            assertArrayEquals(output, outcome.packet(), description);
            assertEquals(adjacencyTo(tables, adjacencyVtep), outcome.adjacency(), description);
            assertEquals(0, outcome.innerIpOffset());
            if ((output[0] >> 4) == 4) {
                assertIpv4ChecksumsValid(outcome.packet(), 0);
            } else if (output[6] == 58) {
                assertIcmpv6ChecksumValid(outcome.packet(), 0);
            }
        }
        if (event != null) {
            assertEquals(1, harness.counter(VrfRouteStage.NAME + "." + event), description);
        }
    }

    /** Runs {@code ipPacket} with the metadata {@code vxlan-decap} would have set. */
    static StageHarness.Outcome runDecapsulated(StageHarness harness, byte[] ipPacket, int vrf) {
        PacketBatch batch = harness.batch();
        return harness.run(ipPacket, slot -> presetDecapsulated(batch, slot, ipPacket, vrf));
    }

    static void presetDecapsulated(PacketBatch batch, int slot, byte[] ipPacket, int vrf) {
        boolean ipv6 = (ipPacket[0] >> 4) == 6;
        batch.vrf[slot] = vrf;
        batch.l3Offset[slot] = batch.offset[slot];
        batch.l4Offset[slot] = batch.offset[slot] + (ipv6 ? 40 : (ipPacket[0] & 0xF) * 4);
        batch.flags[slot] = ipv6 ? PacketFlags.INNER_IPV6 : 0;
        batch.flowHash[slot] = 0x1234_5678;
    }

    static int adjacencyTo(ForwardingTables tables, String vtep) {
        AdjacencyTable adjacencies = tables.adjacencies();
        for (int a = 0; a < adjacencies.size(); a++) {
            if (adjacencies.vtepAddress(a) == Ipv4Flyweight.parse(vtep)) {
                return a;
            }
        }
        throw new AssertionError("no adjacency to " + vtep);
    }

    @Test
    void shouldSuppressIcmpErrorsBeyondTheBurstAndRefillWithTime() {
        ForwardingIntent intent = ForwardingFixture.intent();
        ForwardingIntent limited = new ForwardingIntent(intent.node().withIcmpErrorBudget(10, 2), intent.vrfs(),
            intent.routes(), intent.remoteVteps());
        ForwardingTables tables = new ForwardingCompiler().compile(limited);
        StageHarness harness = new StageHarness(new VrfRouteStage(), ForwardingFixture.snapshot(tables));
        byte[] ttlOne = ip(v4(VM2).ttl(1).udp(1, 2));
        int vrf = tables.vrfIndex("tenant-a");

        harness.nowNs(1_000_000_000L);
        assertEquals(ENCAP, runDecapsulated(harness, ttlOne, vrf).verdict());
        assertEquals(ENCAP, runDecapsulated(harness, ttlOne, vrf).verdict());
        assertEquals(StageHarness.DROPPED, runDecapsulated(harness, ttlOne, vrf).verdict());
        harness.nowNs(1_100_000_000L);
        assertEquals(ENCAP, runDecapsulated(harness, ttlOne, vrf).verdict());

        assertEquals(3, harness.counter("vrf-route.icmp-time-exceeded-sent"));
        assertEquals(1, harness.counter("vrf-route.icmp-rate-limited"));
        assertEquals(1, harness.counter("vrf-route.drop.ttl-expired"));
    }

    @Test
    void shouldDropPacketsThatDecapDidNotMark() {
        StageHarness harness = new StageHarness(new VrfRouteStage(), ForwardingFixture.snapshot());

        assertEquals(StageHarness.DROPPED, harness.run(ip(v4(VM2).udp(1, 2))).verdict());
        assertEquals(1, harness.counter("vrf-route.drop.not-decapsulated"));
    }

    @Test
    void shouldDropEverythingWhenNoForwardingTablesArePublished() {
        StageHarness harness = new StageHarness(new VrfRouteStage(), ConfigSnapshot.empty());

        assertEquals(StageHarness.DROPPED, runDecapsulated(harness, ip(v4(VM2).udp(1, 2)), 0).verdict());
        assertEquals(1, harness.counter("vrf-route.drop.not-configured"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expiringPackets")
    void shouldDropWithoutErrorWhenTheErrorWouldNotFitInFrontOfThePacket(String family, byte[] ttlOne) {
        ForwardingTables tables = ForwardingFixture.tables();
        StageHarness harness = new StageHarness(new VrfRouteStage(), ForwardingFixture.snapshot(tables));
        PacketBatch batch = harness.batch();

        // The packet starts at its frame's first byte: no headroom for the ICMP and VXLAN headers.
        StageHarness.Outcome outcome = harness.run(ttlOne, slot -> {
            int frameStart = batch.frameStart(slot);
            batch.buffer().putBytes(frameStart, ttlOne);
            batch.offset[slot] = frameStart;
            presetDecapsulated(batch, slot, ttlOne, tables.vrfIndex("tenant-a"));
        });

        assertEquals(StageHarness.DROPPED, outcome.verdict(), family);
        assertEquals(1, harness.counter("vrf-route.drop.ttl-expired"), family);
        assertEquals(1, harness.counter("vrf-route.icmp-no-room"), family);
        assertEquals(0, harness.counter("vrf-route.icmp-not-permitted"));
        assertEquals(0, harness.counter("vrf-route.icmp-time-exceeded-sent"));
    }

    static Stream<Arguments> expiringPackets() {
        return Stream.of(Arguments.of("IPv4 TTL 1", ip(v4(VM2).ttl(1).udp(1000, 2000).payload(22))),
            Arguments.of("IPv6 hop limit 1", ip(v6(VM2_V6).hopLimit(1).udp(1000, 2000).payload(8))));
    }
}
