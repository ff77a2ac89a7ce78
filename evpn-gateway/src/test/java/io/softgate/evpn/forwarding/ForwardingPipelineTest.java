package io.softgate.evpn.forwarding;

import static io.softgate.evpn.forwarding.ForwardingFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageFactory;
import io.softgate.core.pipeline.StageVector;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingPipelineTest {

    /** A feature stage that counts what passes and sends it on. */
    private static final class PassThrough implements Stage {
        private final String name;
        private final String next;
        int seen;

        PassThrough(String name, String next) {
            this.name = name;
            this.next = next;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<String> nextStages() {
            return List.of(next);
        }

        @Override
        public DropReason[] dropReasons() {
            return new DropReason[0];
        }

        @Override
        public void process(PacketBatch batch, StageVector input, StageContext context) {
            for (int i = 0; i < input.size(); i++) {
                seen++;
                context.forward(0, input.slot(i));
            }
        }
    }

    private static ForwardingFeature feature(String name, PassThrough[] created) {
        return new ForwardingFeature() {
            @Override
            public String entryStage() {
                return name;
            }

            @Override
            public List<StageFactory> stages(String nextStage) {
                return List.of(worker -> created[0] = new PassThrough(name, nextStage));
            }
        };
    }

    @Test
    void shouldRunTheStagesInForwardingOrder() {
        FrameMemory memory = new FrameMemory(4);
        PacketBatch batch = new PacketBatch(memory, 2);
        Pipeline pipeline = new Pipeline(ForwardingPipeline.definition(), 0, batch, new FramePool(memory),
            new CounterLayout());

        assertEquals(List.of("vxlan-decap", "vrf-route", "vxlan-encap"), pipeline.stageNames());
    }

    @Test
    void shouldInsertFeaturesBetweenDecapAndRouteInTheOrderAdded() {
        PassThrough[] acl = new PassThrough[1];
        PassThrough[] nat = new PassThrough[1];
        FrameMemory memory = new FrameMemory(4);
        FramePool pool = new FramePool(memory);
        PacketBatch batch = new PacketBatch(memory, 2);
        Pipeline pipeline = new Pipeline(ForwardingPipeline.builder().feature(feature("acl", acl))
            .feature(feature("nat44", nat)).build(), 0, batch, pool, new CounterLayout());
        byte[] frame = fromHv1(TENANT_A_VNI, innerFromHv1().ipv4("10.0.1.10", "10.0.2.20").udp(1, 2).build());
        int f = pool.allocate();
        memory.buffer().putBytes(memory.packetStart(f), frame);
        batch.add(f, memory.packetStart(f), frame.length, 0);

        pipeline.run(batch, ForwardingFixture.snapshot(), 0);

        assertEquals(List.of("vxlan-decap", "acl", "nat44", "vrf-route", "vxlan-encap"), pipeline.stageNames());
        assertEquals(1, acl[0].seen);
        assertEquals(1, nat[0].seen);
        assertEquals(1, pipeline.transmitVector().size());
    }
}
