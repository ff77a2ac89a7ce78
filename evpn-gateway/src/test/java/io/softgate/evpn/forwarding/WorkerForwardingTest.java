package io.softgate.evpn.forwarding;

import static io.softgate.evpn.forwarding.ForwardingFixture.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.io.MemoryPacketIo;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.NanoClock;
import io.softgate.core.pipeline.Worker;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.stage.FlowHash;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The forwarding graph composed the way the service composes it: a core {@link Worker} on an
 * in-memory port, tables compiled from intent and published through a {@link SnapshotPublisher}.
 */
class WorkerForwardingTest {

    @Test
    void shouldForwardAFrameFromHv1ToHv2ThroughAWorker() {
        FrameMemory memory = new FrameMemory(64);
        FramePool pool = new FramePool(memory);
        MemoryPacketIo port = new MemoryPacketIo("memory:0", pool, 8, 8, 1600);
        SnapshotPublisher publisher = new SnapshotPublisher(new WorkerEpochs(1));
        Worker worker = new Worker(0, ForwardingPipeline.definition(), new PacketIo[] {port}, pool, 8, publisher,
            NanoClock.SYSTEM);
        ForwardingTables tables = new ForwardingCompiler().compile(ForwardingFixture.intent());
        publisher.publish(publisher.current().toBuilder().with(ForwardingTables.SLOT, tables));
        byte[] inner = innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").udp(1000, 2000).payload(22).build();
        port.inject(fromHv1(TENANT_A_VNI, inner));

        assertEquals(1, worker.doWork());

        byte[] sent = port.pollTransmitted();
        int sourcePort = new UnsafeBuffer(sent).getShort(34, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        byte[] expected = PacketBuilder.vxlan(OUR_UNDERLAY_MAC, LEAF_MAC, OUR_VTEP, HV2_VTEP, sourcePort,
            TENANT_A_VNI, PacketBuilder.ethernet(OUR_ROUTER_MAC, HV2_ROUTER_MAC).ipv4("10.0.1.10", "10.0.2.20")
                .ttl(63).udp(1000, 2000).payload(22).build());
        assertArrayEquals(expected, sent);
        assertEquals(sourcePort, FlowHash.udpSourcePort(FlowHash.ipv4(
            io.softgate.core.packet.Ipv4Flyweight.parse("10.0.1.10"),
            io.softgate.core.packet.Ipv4Flyweight.parse("10.0.2.20"), 17, (1000 << 16) | 2000)));
        assertEquals(pool.capacity(), pool.available());
    }

    @Test
    void shouldDropEverythingUntilForwardingTablesArePublished() {
        FrameMemory memory = new FrameMemory(16);
        FramePool pool = new FramePool(memory);
        MemoryPacketIo port = new MemoryPacketIo("memory:0", pool, 4, 4, 1600);
        SnapshotPublisher publisher = new SnapshotPublisher(new WorkerEpochs(1));
        Worker worker = new Worker(0, ForwardingPipeline.definition(), new PacketIo[] {port}, pool, 4, publisher,
            NanoClock.SYSTEM);
        port.inject(fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").udp(1, 2).build()));

        worker.doWork();

        assertEquals(0, port.pendingTransmit());
        int id = worker.counters().layout().id("vxlan-decap.drop.not-configured");
        assertEquals(1, worker.counters().get(id));
    }
}
