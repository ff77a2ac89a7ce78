package io.softgate.evpn.forwarding.stage;

import static io.softgate.evpn.forwarding.ForwardingFixture.*;
import static io.softgate.evpn.forwarding.Packets.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.ForwardingFixture;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden packet table for {@code vxlan-decap}: every row is one input frame and its fate. */
class VxlanDecapStageTest {
    private static final String ROUTE = VrfRouteStage.NAME;
    /** Offsets in an untagged VXLAN frame. */
    private static final int OUTER_IP = 14;
    private static final int UDP = 34;
    private static final int VXLAN = 42;
    private static final int INNER_ETHERNET = 50;
    private static final int INNER_IP = 64;

    private static byte[] innerUdp() {
        return innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").udp(1000, 2000).payload(22).build();
    }

    private static byte[] innerUdpIp() {
        return ip(innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").udp(1000, 2000).payload(22));
    }

    private static PacketBuilder outer() {
        return PacketBuilder.ethernet(HV1_UNDERLAY_MAC, OUR_UNDERLAY_MAC).ipv4(HV1_VTEP, OUR_VTEP).dontFragment();
    }

    private static byte[] outerWith(PacketBuilder outerIp, byte[] vxlanAndInner) {
        return outerIp.udp(54321, 4789).zeroUdpChecksum().payload(vxlanAndInner).build();
    }

    static Stream<Arguments> table() {
        byte[] good = fromHv1(TENANT_A_VNI, innerUdp());
        byte[] innerV6 = innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").udp(1000, 2000).payload(10).build();
        return Stream.of(
            row("IPv4 in VXLAN to our VTEP and router MAC", good, ROUTE, null, innerUdpIp()),
            row("IPv6 in VXLAN", fromHv1(TENANT_A_VNI, innerV6), ROUTE, null,
                ip(innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").udp(1000, 2000).payload(10))),
            row("outer frame with an 802.1Q tag", outerWith(outer().vlan(100), vxlanPayload(TENANT_A_VNI, innerUdp())),
                ROUTE, null, innerUdpIp()),
            row("inner IPv4 with options",
                fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20")
                    .ipv4Options(new byte[] {1, 1, 1, 0}).udp(1, 2).build()),
                ROUTE, null, ip(innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").ipv4Options(new byte[] {1, 1, 1, 0})
                    .udp(1, 2))),
            row("inner Ethernet padding is trimmed",
                fromHv1(TENANT_A_VNI, concat(innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").udp(1, 2).build(),
                    new byte[12])),
                ROUTE, null, ip(innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").udp(1, 2))),
            row("reserved VXLAN flag bits are ignored (RFC 7348 §5)", patchByte(good, VXLAN, 0xFF), ROUTE, null,
                innerUdpIp()),
            row("empty frame", new byte[0], null, "truncated-outer-ethernet", null),
            row("13-byte frame", new byte[13], null, "truncated-outer-ethernet", null),
            row("802.1Q tag cut short", java.util.Arrays.copyOf(PacketBuilder.ethernet(1, 2).vlan(5).build(), 16),
                null, "malformed-outer-ethernet", null),
            row("three VLAN tags", tripleTagged(), null, "malformed-outer-ethernet", null),
            row("ARP on the underlay", PacketBuilder.ethernet(1, 2).etherType(0x0806).payload(28).build(), null,
                "not-ipv4-underlay", null),
            row("outer IPv4 cut at 10 bytes", java.util.Arrays.copyOf(good, OUTER_IP + 10), null,
                "truncated-outer-ipv4", null),
            row("outer IHL 4", outerWith(outer().ihl(4), vxlanPayload(TENANT_A_VNI, innerUdp())), null,
                "malformed-outer-ipv4", null),
            row("outer IHL 15 (60 bytes) in a 40-byte packet", PacketBuilder.ethernet(1, 2).ipv4(HV1_VTEP, OUR_VTEP)
                .ihl(15).udp(1, 4789).payload(12).build(), null, "malformed-outer-ipv4", null),
            row("outer total length longer than the frame",
                outerWith(outer().lengthField(good.length), vxlanPayload(TENANT_A_VNI, innerUdp())), null,
                "malformed-outer-ipv4", null),
            row("outer version 6 under EtherType IPv4", patchByte(good, OUTER_IP, 0x65), null,
                "malformed-outer-ipv4", null),
            row("outer checksum wrong",
                outerWith(outer().corruptIpChecksum(), vxlanPayload(TENANT_A_VNI, innerUdp())), null,
                "bad-outer-ipv4-checksum", null),
            row("outer destination is another VTEP",
                PacketBuilder.vxlan(HV1_UNDERLAY_MAC, OUR_UNDERLAY_MAC, HV1_VTEP, HV2_VTEP, 1, TENANT_A_VNI,
                    innerUdp()), null, "not-our-vtep", null),
            row("outer TCP", PacketBuilder.ethernet(1, 2).ipv4(HV1_VTEP, OUR_VTEP).tcp(1, 4789).build(), null,
                "not-udp", null),
            row("outer fragment", outerWith(outer().fragment(true, 0), vxlanPayload(TENANT_A_VNI, innerUdp())), null,
                "outer-fragment", null),
            row("outer total length leaves no room for UDP",
                outerWith(outer().lengthField(24), vxlanPayload(TENANT_A_VNI, innerUdp())), null,
                "truncated-udp", null),
            row("UDP to port 4790", PacketBuilder.ethernet(1, 2).ipv4(HV1_VTEP, OUR_VTEP).udp(1, 4790)
                .payload(vxlanPayload(TENANT_A_VNI, innerUdp())).build(), null, "not-vxlan-port", null),
            row("UDP length longer than the IP payload", patchShort(good, UDP + 4, good.length), null,
                "malformed-udp-length", null),
            row("UDP length below 8", patchShort(good, UDP + 4, 7), null, "malformed-udp-length", null),
            row("VXLAN header cut at 4 bytes", PacketBuilder.ethernet(1, 2).ipv4(HV1_VTEP, OUR_VTEP).udp(1, 4789)
                .payload(new byte[] {8, 0, 0, 0}).build(), null, "truncated-vxlan", null),
            row("VXLAN I flag clear", patchByte(good, VXLAN, 0x00), null, "vxlan-i-flag-clear", null),
            row("VXLAN flags without I but other bits", patchByte(good, VXLAN, 0xF7), null, "vxlan-i-flag-clear", null),
            row("unknown VNI", fromHv1(9999, innerUdp()), null, "unknown-vni", null),
            row("inner Ethernet cut at 10 bytes",
                fromHv1(TENANT_A_VNI, java.util.Arrays.copyOf(innerUdp(), 10)), null, "truncated-inner-ethernet", null),
            row("inner frame VLAN-tagged (RFC 7348 §6)",
                fromHv1(TENANT_A_VNI, innerFromHv1().vlan(7).ipv4("10.0.1.10", "10.0.2.20").udp(1, 2).build()), null,
                "inner-vlan-tagged", null),
            row("inner destination is not our router MAC",
                fromHv1(TENANT_A_VNI, PacketBuilder.ethernet(HV1_ROUTER_MAC, HV2_ROUTER_MAC)
                    .ipv4("10.0.1.10", "10.0.2.20").udp(1, 2).build()), null, "wrong-inner-router-mac", null),
            row("inner broadcast ARP", fromHv1(TENANT_A_VNI, PacketBuilder.ethernet(HV1_ROUTER_MAC, 0xFFFF_FFFF_FFFFL)
                .etherType(0x0806).payload(28).build()), null, "wrong-inner-router-mac", null),
            row("inner ARP to our router MAC", fromHv1(TENANT_A_VNI, innerFromHv1().etherType(0x0806).payload(28)
                .build()), null, "unsupported-inner-ethertype", null),
            row("inner IPv4 cut at 10 bytes", fromHv1(TENANT_A_VNI, java.util.Arrays.copyOf(innerUdp(), 24)), null,
                "truncated-inner-ipv4", null),
            row("inner IHL 4", fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").ihl(4).udp(1, 2)
                .build()), null, "malformed-inner-ipv4", null),
            row("inner total length longer than the frame (lying length)",
                fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").lengthField(400).udp(1, 2)
                    .build()), null, "malformed-inner-ipv4", null),
            row("inner total length shorter than the header",
                fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").lengthField(12).udp(1, 2)
                    .build()), null, "malformed-inner-ipv4", null),
            row("inner IPv4 version 6 under EtherType IPv4", patchByte(good, INNER_IP, 0x65), null,
                "malformed-inner-ipv4", null),
            row("inner IPv4 checksum wrong", fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20")
                .corruptIpChecksum().udp(1, 2).build()), null, "bad-inner-ipv4-checksum", null),
            row("inner IPv6 cut at 30 bytes", fromHv1(TENANT_A_VNI, java.util.Arrays.copyOf(innerV6, 14 + 30)), null,
                "truncated-inner-ipv6", null),
            row("inner IPv6 payload length longer than the frame",
                fromHv1(TENANT_A_VNI, innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").lengthField(900)
                    .udp(1, 2).build()), null, "malformed-inner-ipv6", null),
            row("IPv4 packet under EtherType IPv6",
                fromHv1(TENANT_A_VNI, innerFromHv1().etherType(0x86DD).ipv4("10.0.1.10", "10.0.2.20").udp(1, 2)
                    .payload(40).build()), null, "malformed-inner-ipv6", null),
            row("inner IPv6 extension header runs past the packet",
                fromHv1(TENANT_A_VNI, innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20")
                    .ipv6ExtensionHeaders(60, new byte[] {17, 4, 0, 0, 0, 0, 0, 0}).udp(1, 2).build()), null,
                "malformed-inner-ipv6-extension-headers", null),
            row("outer ECN CE over inner Not-ECT (RFC 6040 §4.2)",
                outerWith(outer().tos(0x03), vxlanPayload(TENANT_A_VNI, innerUdp())), null, "ecn-ce-on-not-ect", null),
            row("outer ECN CE over inner ECT(0) marks the inner CE",
                outerWith(outer().tos(0x03), vxlanPayload(TENANT_A_VNI,
                    innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").tos(0x02).udp(1000, 2000).payload(22).build())),
                ROUTE, null, ip(innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").tos(0x03).udp(1000, 2000).payload(22))),
            row("outer ECN CE over inner IPv6 ECT(1) marks the inner CE",
                outerWith(outer().tos(0x03), vxlanPayload(TENANT_A_VNI, innerFromHv1()
                    .ipv6("2001:db8:1::10", "2001:db8:2::20").tos(0x01).udp(1, 2).build())),
                ROUTE, null, ip(innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").tos(0x03).udp(1, 2))));
    }

    private static byte[] tripleTagged() {
        byte[] frame = new byte[64];
        for (int tag = 0; tag < 3; tag++) {
            frame[12 + tag * 4] = (byte) 0x81;
            frame[13 + tag * 4] = 0x00;
        }
        frame[24] = 0x08;
        return frame;
    }

    private static Arguments row(String description, byte[] input, String verdict, String dropLabel, byte[] output) {
        return Arguments.of(description, input, verdict, dropLabel, output);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void shouldMatchGoldenTable(String description, byte[] input, String verdict, String dropLabel, byte[] output) {
        StageHarness harness = new StageHarness(new VxlanDecapStage(ROUTE), ForwardingFixture.snapshot());

        StageHarness.Outcome outcome = harness.run(input);

        if (dropLabel != null) {
            assertEquals(StageHarness.DROPPED, outcome.verdict(), description);
            assertEquals(1, harness.counter(VxlanDecapStage.NAME + ".drop." + dropLabel), description);
        } else {
            assertEquals(verdict, outcome.verdict(), description);
            assertArrayEquals(output, outcome.packet(), description);
            assertEquals(0, outcome.innerIpOffset());
            assertIpv4IfV4(outcome.packet());
        }
    }

    private static void assertIpv4IfV4(byte[] packet) {
        if ((packet[0] >> 4) == 4) {
            assertIpv4ChecksumsValid(packet, 0);
        }
    }

    @Test
    void shouldSetVrfVniAndOffsetsOfTheInnerPacket() {
        StageHarness harness = new StageHarness(new VxlanDecapStage(ROUTE), ForwardingFixture.snapshot());
        harness.load(List.of(fromHv1(TENANT_B_VNI, innerUdp())), slot -> { });
        harness.processLoaded();
        PacketBatch batch = harness.batch();

        assertEquals(ForwardingFixture.tables().vrfIndex("tenant-b"), batch.vrf[0]);
        assertEquals(TENANT_B_VNI, batch.vni[0]);
        assertEquals(batch.offset[0], batch.l3Offset[0]);
        assertEquals(batch.l3Offset[0] + 20, batch.l4Offset[0]);
        assertEquals(0, batch.flags[0]);
        harness.releaseAll();
    }

    @Test
    void shouldFindTheVrfOfEveryVniWhenHundredsOfThousandsOfVpcsAreConfigured() {
        ForwardingIntent base = ForwardingFixture.intent();
        List<VrfIntent> vrfs = new java.util.ArrayList<>(base.vrfs());
        int vpcs = 70_000;
        for (int v = 0; v < vpcs; v++) {
            vrfs.add(VrfIntent.of("vpc-" + v, 1_000_000 + v, 10 + v));
        }
        ForwardingTables tables = new ForwardingCompiler().compile(
            new ForwardingIntent(base.node(), vrfs, base.routes(), List.of()));
        assertEquals(true, tables.decapEntriesAreLarge(), "the batch-wide touch pass runs");
        StageHarness harness = new StageHarness(new VxlanDecapStage(ROUTE), ForwardingFixture.snapshot(tables));
        harness.load(List.of(fromHv1(1_000_000 + vpcs - 1, innerUdp()), fromHv1(TENANT_B_VNI, innerUdp()),
            fromHv1(999_999, innerUdp())), slot -> { });
        harness.processLoaded();
        PacketBatch batch = harness.batch();

        assertEquals(tables.vrfIndex("vpc-" + (vpcs - 1)), batch.vrf[0]);
        assertEquals(true, batch.vrf[0] > 65_535);
        assertEquals(tables.vrfIndex("tenant-b"), batch.vrf[1]);
        assertEquals(1, harness.counter("vxlan-decap.drop.unknown-vni"));
        harness.releaseAll();
    }

    @Test
    void shouldFlagIpv6AndNonFirstFragmentsWithoutL4Offset() {
        StageHarness harness = new StageHarness(new VxlanDecapStage(ROUTE), ForwardingFixture.snapshot());
        byte[] first = innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").identification(7).fragment(true, 0)
            .udp(1000, 2000).payload(40).build();
        byte[] later = innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").identification(7).fragment(false, 48)
            .protocol(17).payload(40).build();
        byte[] v6 = innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").udp(1, 2).build();
        harness.load(List.of(fromHv1(TENANT_A_VNI, first), fromHv1(TENANT_A_VNI, later), fromHv1(TENANT_A_VNI, v6)),
            slot -> { });
        harness.processLoaded();
        PacketBatch batch = harness.batch();

        assertEquals(PacketFlags.FRAGMENT, batch.flags[0]);
        assertEquals(batch.l3Offset[0] + 20, batch.l4Offset[0]);
        assertEquals(PacketFlags.FRAGMENT | PacketFlags.NON_FIRST_FRAGMENT, batch.flags[1]);
        assertEquals(PacketBatch.UNSET, batch.l4Offset[1]);
        assertEquals(batch.flowHash[0], batch.flowHash[1], "fragments of one datagram hash alike");
        assertEquals(PacketFlags.INNER_IPV6, batch.flags[2]);
        assertEquals(batch.l3Offset[2] + 40, batch.l4Offset[2]);
        harness.releaseAll();
    }

    @Test
    void shouldTakeANonFirstIpv6FragmentsDataAsDataNotHeaders() {
        // RFC 8200 §4.5: after a non-first fragment's Fragment header comes fragment data. Here it
        // would read as a Destination Options header running far past the packet.
        StageHarness harness = new StageHarness(new VxlanDecapStage(ROUTE), ForwardingFixture.snapshot());
        byte[] firstHeader = {17, 0, 0, 1, 0, 0, 0, 9};
        byte[] laterHeader = {17, 0, (byte) (48 >> 8), (byte) 48, 0, 0, 0, 9};
        byte[] laterDestOptsHeader = {60, 0, (byte) (48 >> 8), (byte) 48, 0, 0, 0, 10};
        byte[] first = innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").ipv6ExtensionHeaders(44, firstHeader)
            .udp(1000, 2000).payload(40).build();
        byte[] later = innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").ipv6ExtensionHeaders(44, laterHeader)
            .rawProtocol(17).payload(40).build();
        byte[] laterDestOpts = innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20")
            .ipv6ExtensionHeaders(44, laterDestOptsHeader).rawProtocol(60)
            .payload(new byte[] {17, (byte) 0xFF, 0, 0, 0, 0, 0, 0}).build();
        harness.load(List.of(fromHv1(TENANT_A_VNI, first), fromHv1(TENANT_A_VNI, later),
            fromHv1(TENANT_A_VNI, laterDestOpts)), slot -> { });
        harness.processLoaded();
        PacketBatch batch = harness.batch();

        int flags = PacketFlags.INNER_IPV6 | PacketFlags.FRAGMENT;
        assertEquals(flags, batch.flags[0]);
        assertEquals(batch.l3Offset[0] + 48, batch.l4Offset[0]);
        assertEquals(flags | PacketFlags.NON_FIRST_FRAGMENT, batch.flags[1]);
        assertEquals(PacketBatch.UNSET, batch.l4Offset[1]);
        assertEquals(batch.flowHash[0], batch.flowHash[1], "fragments of one datagram hash alike");
        assertEquals(0, harness.counter("vxlan-decap.drop.malformed-inner-ipv6-extension-headers"));
        assertEquals(flags | PacketFlags.NON_FIRST_FRAGMENT, batch.flags[2]);
        assertEquals(PacketBatch.UNSET, batch.l4Offset[2]);
        harness.releaseAll();
    }

    @Test
    void shouldHashEveryIpv6FragmentOfADatagramAlikeWhateverFollowsTheFragmentHeader() {
        // RFC 8200 §4.5: the first fragment carries the headers after the Fragment header (here
        // Destination Options, then UDP), a later one only data; both must take one ECMP path and
        // one outer UDP source port (RFC 7348 §5), so neither may hash with what it alone can see.
        StageHarness harness = new StageHarness(new VxlanDecapStage(ROUTE), ForwardingFixture.snapshot());
        byte[] firstHeaders = {60, 0, 0, 1, 0, 0, 0, 11, 17, 0, 1, 4, 0, 0, 0, 0};
        byte[] laterHeader = {60, 0, (byte) (48 >> 8), (byte) 48, 0, 0, 0, 11};
        byte[] first = innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").ipv6ExtensionHeaders(44, firstHeaders)
            .udp(1000, 2000).payload(40).build();
        byte[] later = innerFromHv1().ipv6("2001:db8:1::10", "2001:db8:2::20").ipv6ExtensionHeaders(44, laterHeader)
            .rawProtocol(60).payload(40).build();
        harness.load(List.of(fromHv1(TENANT_A_VNI, first), fromHv1(TENANT_A_VNI, later)), slot -> { });
        harness.processLoaded();
        PacketBatch batch = harness.batch();

        int flags = PacketFlags.INNER_IPV6 | PacketFlags.FRAGMENT;
        assertEquals(flags, batch.flags[0]);
        assertEquals(batch.l3Offset[0] + 56, batch.l4Offset[0]);
        assertEquals(flags | PacketFlags.NON_FIRST_FRAGMENT, batch.flags[1]);
        assertEquals(batch.flowHash[0], batch.flowHash[1], "fragments of one datagram hash alike");
        harness.releaseAll();
    }

    @Test
    void shouldHashDifferentPortsOfTheSameHostsApart() {
        StageHarness harness = new StageHarness(new VxlanDecapStage(ROUTE), ForwardingFixture.snapshot());
        harness.load(List.of(
            fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").tcp(40000, 80).build()),
            fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").tcp(40001, 80).build())), slot -> { });
        harness.processLoaded();

        assertNotEquals(harness.batch().flowHash[0], harness.batch().flowHash[1]);
        harness.releaseAll();
    }

    @Test
    void shouldMarkPacketsOfTheOutsideVrf() {
        ForwardingIntent intent = ForwardingFixture.intent();
        List<VrfIntent> vrfs = List.of(intent.vrfs().get(0), intent.vrfs().get(1).asOutside());
        ConfigSnapshot snapshot = ForwardingFixture.snapshot(new ForwardingCompiler().compile(
            new ForwardingIntent(intent.node(), vrfs, intent.routes(), List.of())));
        StageHarness harness = new StageHarness(new VxlanDecapStage(ROUTE), snapshot);
        harness.load(List.of(fromHv1(TENANT_B_VNI, innerUdp()), fromHv1(TENANT_A_VNI, innerUdp())), slot -> { });
        harness.processLoaded();

        assertEquals(PacketFlags.FROM_OUTSIDE, harness.batch().flags[0]);
        assertEquals(0, harness.batch().flags[1]);
        harness.releaseAll();
    }

    @Test
    void shouldDropEverythingWhenNoForwardingTablesArePublished() {
        StageHarness harness = new StageHarness(new VxlanDecapStage(ROUTE), ConfigSnapshot.empty());

        assertEquals(StageHarness.DROPPED, harness.run(fromHv1(TENANT_A_VNI, innerUdp())).verdict());
        assertEquals(1, harness.counter("vxlan-decap.drop.not-configured"));
    }
}
