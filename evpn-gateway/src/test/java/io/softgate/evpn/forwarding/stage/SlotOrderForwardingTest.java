package io.softgate.evpn.forwarding.stage;

import static io.softgate.evpn.forwarding.ForwardingFixture.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import io.softgate.evpn.forwarding.ForwardingFixture;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The forwarding stages walk an in-order vector with their loop counter and any other vector
 * slot by slot (SlotOrder): both loops must give every packet the same verdict and bytes.
 */
class SlotOrderForwardingTest {
    private static final int IDENTIFICATION_OFFSET = 14 + 4;
    private static final int OUTER_CHECKSUM_OFFSET = 14 + 10;

    /** Hands its vector on to vxlan-decap in reverse order, so no stage after it sees slot i at position i. */
    private static final class ReverseOrderStage implements Stage {
        @Override
        public String name() {
            return "reverse-order";
        }

        @Override
        public List<String> nextStages() {
            return List.of(VxlanDecapStage.NAME);
        }

        @Override
        public DropReason[] dropReasons() {
            return new DropReason[0];
        }

        @Override
        public void process(PacketBatch batch, StageVector input, StageContext context) {
            for (int i = input.size() - 1; i >= 0; i--) {
                context.forward(0, input.slot(i));
            }
        }
    }

    private static List<byte[]> packets() {
        List<byte[]> packets = new ArrayList<>();
        packets.add(fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").ttl(64).udp(1000, 2000)
            .payload(22).build()));
        packets.add(fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.2.20", "10.0.1.10").ttl(9).udp(3000, 53)
            .payload(40).build()));
        // Unknown VNI: dropped by decap, so route and encap see slots 0, 2, 3.
        packets.add(fromHv1(TENANT_A_VNI + 77, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").ttl(64).udp(5, 6)
            .payload(22).build()));
        packets.add(fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.11", "10.0.2.21").ttl(2).udp(7, 8)
            .payload(100).build()));
        return packets;
    }

    /** Runs {@code packets} as one batch; returns each slot's output (null when dropped), identification zeroed. */
    private static byte[][] forward(PipelineDefinition definition, List<byte[]> packets) {
        FrameMemory memory = new FrameMemory(16);
        FramePool pool = new FramePool(memory);
        PacketBatch batch = new PacketBatch(memory, 8);
        Pipeline pipeline = new Pipeline(definition, 0, batch, pool, new CounterLayout());
        for (byte[] packet : packets) {
            int frame = pool.allocate();
            memory.buffer().putBytes(memory.packetStart(frame), packet);
            batch.add(frame, memory.packetStart(frame), packet.length, 0);
        }
        pipeline.run(batch, ForwardingFixture.snapshot(), 0);
        byte[][] out = new byte[packets.size()][];
        StageVector transmitted = pipeline.transmitVector();
        for (int i = 0; i < transmitted.size(); i++) {
            int slot = transmitted.slot(i);
            byte[] bytes = new byte[batch.length[slot]];
            memory.buffer().getBytes(batch.offset[slot], bytes);
            // The identification counts packets in the order encap saw them; it and the checksum covering it differ.
            bytes[IDENTIFICATION_OFFSET] = 0;
            bytes[IDENTIFICATION_OFFSET + 1] = 0;
            bytes[OUTER_CHECKSUM_OFFSET] = 0;
            bytes[OUTER_CHECKSUM_OFFSET + 1] = 0;
            out[slot] = bytes;
        }
        return out;
    }

    @Test
    void shouldForwardEveryPacketAsInOrderWhenTheVectorIsReversed() {
        PipelineDefinition reversed = PipelineDefinition.builder()
            .stage(worker -> new ReverseOrderStage())
            .stage(worker -> new VxlanDecapStage(VrfRouteStage.NAME))
            .stage(worker -> new VrfRouteStage())
            .stage(worker -> new VxlanEncapStage())
            .entry("reverse-order").build();

        byte[][] inOrder = forward(ForwardingPipeline.definition(), packets());
        byte[][] outOfOrder = forward(reversed, packets());

        assertEquals(null, inOrder[2]);
        for (int slot = 0; slot < inOrder.length; slot++) {
            assertArrayEquals(inOrder[slot], outOfOrder[slot], "slot " + slot);
        }
    }

    @Test
    void shouldForwardEachPacketOfAGappedBatchAsItWouldAlone() {
        List<byte[]> packets = packets();
        byte[][] together = forward(ForwardingPipeline.definition(), packets);

        for (int i = 0; i < packets.size(); i++) {
            byte[][] alone = forward(ForwardingPipeline.definition(), List.of(packets.get(i)));
            assertArrayEquals(alone[0], together[i], "packet " + i);
        }
    }
}
