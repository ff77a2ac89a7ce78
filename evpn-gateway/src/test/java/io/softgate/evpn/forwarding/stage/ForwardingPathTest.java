package io.softgate.evpn.forwarding.stage;

import static io.softgate.evpn.forwarding.ForwardingFixture.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.evpn.forwarding.ForwardingFixture;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import org.junit.jupiter.api.Test;

class ForwardingPathTest {

    @Test
    void shouldRouteVm1ToVm2ThroughDecapRouteAndEncap() {
        FrameMemory memory = new FrameMemory(8);
        FramePool pool = new FramePool(memory);
        PacketBatch batch = new PacketBatch(memory, 4);
        Pipeline pipeline = new Pipeline(ForwardingPipeline.definition(), 0, batch, pool, new CounterLayout());
        byte[] inner = innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").ttl(64).udp(1000, 2000).payload(22).build();
        byte[] frame = fromHv1(TENANT_A_VNI, inner);
        int f = pool.allocate();
        memory.buffer().putBytes(memory.packetStart(f), frame);
        int slot = batch.add(f, memory.packetStart(f), frame.length, 0);

        pipeline.run(batch, ForwardingFixture.snapshot(), 0);

        assertEquals(1, pipeline.transmitVector().size());
        byte[] out = new byte[batch.length[slot]];
        memory.buffer().getBytes(batch.offset[slot], out);
        byte[] expectedInner = PacketBuilder.ethernet(OUR_ROUTER_MAC, HV2_ROUTER_MAC)
            .ipv4("10.0.1.10", "10.0.2.20").ttl(63).udp(1000, 2000).payload(22).build();
        byte[] expected = PacketBuilder.vxlan(OUR_UNDERLAY_MAC, LEAF_MAC, OUR_VTEP, HV2_VTEP,
            FlowHash.udpSourcePort(batch.flowHash[slot]), TENANT_A_VNI, expectedInner);
        // The builder writes identification 0, and this worker's first encapsulated packet has id 0.
        assertArrayEquals(expected, out);
    }
}
