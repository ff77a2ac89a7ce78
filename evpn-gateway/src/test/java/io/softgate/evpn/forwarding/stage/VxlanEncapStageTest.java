package io.softgate.evpn.forwarding.stage;

import static io.softgate.evpn.forwarding.ForwardingFixture.*;
import static io.softgate.evpn.forwarding.Packets.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.ForwardingFixture;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.Ipv4Address;
import io.softgate.evpn.forwarding.model.MacAddress;
import io.softgate.evpn.forwarding.model.RemoteVtepIntent;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Golden packets for {@code vxlan-encap}: routed inner packets and the exact frames that leave. */
class VxlanEncapStageTest {
    private static final int FLOW_HASH = 0x1234_5678;

    private static StageHarness.Outcome runRouted(StageHarness harness, byte[] ipPacket, int adjacency) {
        PacketBatch batch = harness.batch();
        return harness.run(ipPacket, slot -> {
            VrfRouteStageTest.presetDecapsulated(batch, slot, ipPacket, 0);
            batch.adjacency[slot] = adjacency;
        });
    }

    /** The frame hv{1,2} should receive: {@code innerFrame} (router MACs already ours -> theirs) in VXLAN. */
    private static byte[] expectedFrame(String vtep, byte[] innerFrame, int identification) {
        byte[] frame = PacketBuilder.vxlan(OUR_UNDERLAY_MAC, LEAF_MAC, OUR_VTEP, vtep,
            FlowHash.udpSourcePort(FLOW_HASH), TENANT_A_VNI, innerFrame);
        frame = patchShort(patchShort(frame, 14 + 4, identification), 14 + 10, 0);
        return patchShort(frame, 14 + 10, Checksums.checksum(new UnsafeBuffer(frame), 14, 20));
    }

    @Test
    void shouldWriteOuterHeadersForIpv4TowardTheAdjacency() {
        ForwardingTables tables = ForwardingFixture.tables();
        StageHarness harness = new StageHarness(new VxlanEncapStage(), ForwardingFixture.snapshot(tables));
        PacketBuilder inner = PacketBuilder.ethernet(OUR_ROUTER_MAC, HV2_ROUTER_MAC).ipv4("10.0.1.10", "10.0.2.20")
            .ttl(63).udp(1, 2).payload(22);

        StageHarness.Outcome outcome = runRouted(harness, ip(inner), VrfRouteStageTest.adjacencyTo(tables, HV2_VTEP));

        assertEquals(Stage.TRANSMIT, outcome.verdict());
        assertArrayEquals(expectedFrame(HV2_VTEP, inner.build(), 0), outcome.packet());
        assertEquals(0, outcome.egressPort());
        assertIpv4ChecksumsValid(outcome.packet(), 14);
    }

    @Test
    void shouldWriteInnerEtherTypeIpv6ForIpv6() {
        ForwardingTables tables = ForwardingFixture.tables();
        StageHarness harness = new StageHarness(new VxlanEncapStage(), ForwardingFixture.snapshot(tables));
        PacketBuilder inner = PacketBuilder.ethernet(OUR_ROUTER_MAC, HV2_ROUTER_MAC)
            .ipv6("2001:db8:1::10", "2001:db8:2::20").tcp(1, 2);

        StageHarness.Outcome outcome = runRouted(harness, ip(inner), VrfRouteStageTest.adjacencyTo(tables, HV2_VTEP));

        assertEquals(Stage.TRANSMIT, outcome.verdict());
        assertArrayEquals(expectedFrame(HV2_VTEP, inner.build(), 0), outcome.packet());
        assertIpv4ChecksumsValid(outcome.packet(), 14);
    }

    @Test
    void shouldCopyInnerTosToTheOuterHeaderAndKeepTheChecksumValid() {
        ForwardingTables tables = ForwardingFixture.tables();
        StageHarness harness = new StageHarness(new VxlanEncapStage(), ForwardingFixture.snapshot(tables));
        byte[] inner = ip(PacketBuilder.ethernet(1, 2).ipv4("10.0.1.10", "10.0.2.20").tos(0xB9).udp(1, 2));

        StageHarness.Outcome outcome = runRouted(harness, inner, 0);

        assertEquals(0xB9, outcome.packet()[15] & 0xFF);
        assertIpv4ChecksumsValid(outcome.packet(), 14);
    }

    @Test
    void shouldGiveEachPacketTheNextIdentification() {
        ForwardingTables tables = ForwardingFixture.tables();
        StageHarness harness = new StageHarness(new VxlanEncapStage(), ForwardingFixture.snapshot(tables));
        PacketBuilder inner = PacketBuilder.ethernet(OUR_ROUTER_MAC, HV1_ROUTER_MAC).ipv4("10.0.1.10", "10.0.2.20")
            .udp(1, 2);
        int adjacency = VrfRouteStageTest.adjacencyTo(tables, HV1_VTEP);

        runRouted(harness, ip(inner), adjacency);
        StageHarness.Outcome second = runRouted(harness, ip(inner), adjacency);

        assertArrayEquals(expectedFrame(HV1_VTEP, inner.build(), 1), second.packet());
        assertIpv4ChecksumsValid(second.packet(), 14);
    }

    @Test
    void shouldUseThePortAndNextHopMacOfARemoteVtepOverride() {
        ForwardingIntent base = ForwardingFixture.intent();
        ForwardingIntent intent = new ForwardingIntent(base.node(), base.vrfs(), base.routes(), List.of(
            new RemoteVtepIntent(Ipv4Address.parse(HV2_VTEP), 3, MacAddress.parse("02:ee:00:00:00:33"))));
        ForwardingTables tables = new ForwardingCompiler().compile(intent);
        StageHarness harness = new StageHarness(new VxlanEncapStage(), ForwardingFixture.snapshot(tables));
        byte[] inner = ip(PacketBuilder.ethernet(1, 2).ipv4("10.0.1.10", "10.0.2.20").udp(1, 2));

        StageHarness.Outcome outcome = runRouted(harness, inner, VrfRouteStageTest.adjacencyTo(tables, HV2_VTEP));

        assertEquals(3, outcome.egressPort());
        assertEquals("02:ee:00:00:00:33",
            PacketBuilder.formatMac(EthernetFlyweight.destinationMac(new UnsafeBuffer(outcome.packet()), 0)));
    }

    @Test
    void shouldDropAPacketWithoutAValidAdjacency() {
        StageHarness harness = new StageHarness(new VxlanEncapStage(), ForwardingFixture.snapshot());
        byte[] inner = ip(PacketBuilder.ethernet(1, 2).ipv4("10.0.1.10", "10.0.2.20").udp(1, 2));

        assertEquals(StageHarness.DROPPED, runRouted(harness, inner, PacketBatch.UNSET).verdict());
        assertEquals(StageHarness.DROPPED, runRouted(harness, inner, 1000).verdict());
        assertEquals(2, harness.counter("vxlan-encap.drop.no-adjacency"));
    }

    @Test
    void shouldDropWhenTheFrameHasNoRoomForTheOuterHeaders() {
        StageHarness harness = new StageHarness(new VxlanEncapStage(), ForwardingFixture.snapshot());
        PacketBatch batch = harness.batch();
        byte[] inner = ip(PacketBuilder.ethernet(1, 2).ipv4("10.0.1.10", "10.0.2.20").udp(1, 2));

        StageHarness.Outcome outcome = harness.run(inner, slot -> {
            VrfRouteStageTest.presetDecapsulated(batch, slot, inner, 0);
            batch.l3Offset[slot] = batch.frameStart(slot) + 10;
            batch.adjacency[slot] = 0;
        });

        assertEquals(StageHarness.DROPPED, outcome.verdict());
        assertEquals(1, harness.counter("vxlan-encap.drop.no-headroom"));
    }

    @Test
    void shouldDropEverythingWhenNoForwardingTablesArePublished() {
        StageHarness harness = new StageHarness(new VxlanEncapStage(), ConfigSnapshot.empty());
        byte[] inner = ip(PacketBuilder.ethernet(1, 2).ipv4("10.0.1.10", "10.0.2.20").udp(1, 2));

        assertEquals(StageHarness.DROPPED, runRouted(harness, inner, 0).verdict());
        assertEquals(1, harness.counter("vxlan-encap.drop.not-configured"));
    }
}
