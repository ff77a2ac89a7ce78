package io.softgate.benchmarks.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.VxlanFlyweight;
import io.softgate.core.testkit.AllocationProbe;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PipelineWorldTest {
    private static final int SESSIONS = 3000;
    private static PipelineWorld world;

    @BeforeAll
    static void build() {
        world = new PipelineWorld(new PipelineScenario(SESSIONS, 50, 3, 64));
    }

    @AfterAll
    static void close() {
        world.close();
    }

    @Test
    void shouldRunEveryFeatureStageBetweenDecapAndRoute() {
        assertEquals(List.of("vxlan-decap", "acl-egress", "lb-reply", "nat44-in2out", "vrf-route", "vxlan-encap"),
            world.stageNames());
    }

    @Test
    void shouldForwardEveryPacketOnceSessionsAreEstablished() {
        assertEquals(1.0, world.establishedShare());
        PipelineWorker handle = world.newWorker(1, 2);
        for (int i = 0; i < 20; i++) {
            handle.worker().doWork();
        }
        assertEquals(handle.io().receivedPackets(), handle.io().transmittedPackets());
    }

    @Test
    void shouldSendVmTrafficToTheInternetTranslatedAndEncapsulatedInThePublicVrf() {
        PipelineWorker handle = world.newWorker(0, 1);
        UnsafeBuffer captured = new UnsafeBuffer(new byte[256]);
        handle.io().captureFirstTransmitted(captured);
        handle.worker().doWork();

        assertEquals(64 + PipelineWorld.VXLAN_OVERHEAD_BYTES, handle.io().capturedLength());
        int outerIp = EthernetFlyweight.HEADER_LENGTH;
        int vxlan = outerIp + Ipv4Flyweight.MIN_HEADER_LENGTH + 8;
        int innerEthernet = vxlan + VxlanFlyweight.HEADER_LENGTH;
        int innerIp = innerEthernet + EthernetFlyweight.HEADER_LENGTH;
        assertEquals(PipelineWorld.PUBLIC_VNI, VxlanFlyweight.vni(captured, vxlan));
        int outerDestination = Ipv4Flyweight.destination(captured, outerIp);
        assertTrue((outerDestination & 0xFFFF_FFF0) == 0xC000_0210, "sent to a border leaf VTEP 192.0.2.16-31");
        assertEquals(0xC633_6400, Ipv4Flyweight.source(captured, innerIp) & 0xFFFF_FF00,
            "inner source translated into the NAT pool 198.51.100.0/24");
        assertEquals(0x02bb_0000_0000L, EthernetFlyweight.destinationMac(captured, innerEthernet) & ~0xFFL,
            "inner destination MAC is the border leaf's router MAC");
    }

    @Test
    void shouldRouteVpcsBeyondTheNatVrfRangeUntranslated() {
        assertTrue(PipelineFeatures.natBinds(PipelineFeatures.NAT_MAX_VRF));
        assertFalse(PipelineFeatures.natBinds(PipelineFeatures.NAT_MAX_VRF + 1));
    }

    @Test
    void shouldSplitFlowsBetweenWorkersWithoutOverlap() {
        PipelineWorker first = world.newWorker(0, 2);
        PipelineWorker second = world.newWorker(1, 2);
        assertEquals(SESSIONS, first.io().flowCount() + second.io().flowCount());
    }

    @Test
    void shouldAllocateNothingPerBatchOnceWarm() {
        PipelineWorker handle = world.newWorker(0, 1);
        long bytes = AllocationProbe.bytesPerRun(() -> handle.worker().doWork(), 3000, 2000);
        assertEquals(0, bytes);
    }
}
