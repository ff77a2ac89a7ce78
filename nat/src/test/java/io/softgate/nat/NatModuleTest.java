package io.softgate.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatAction;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.NatConfigException;
import io.softgate.nat.config.NatRule;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.VpcBinding;
import io.softgate.nat.session.NatSessionJournal;
import io.softgate.nat.stage.Nat44In2OutStage;
import io.softgate.nat.testing.Packets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The service's view: compile, publish, run the stage in a pipeline, sweep, drain, journal. */
class NatModuleTest {
    private static final NatConfig CONFIG = new NatConfig(List.of(new VpcBinding("blue", 1, null)), 0,
        List.of(NatRule.builder("out", NatAction.SNAT, "blue").snatToIP("198.51.100.1").build()),
        NatSettings.defaults());

    @Test
    void shouldRunInAPipelineAndReportSessionsToTheJournalAndTheLog() {
        try (NatModule nat = new NatModule(new NatCapacity(1024, 1024, 64, 1 << 16, 8))) {
            AtomicInteger created = new AtomicInteger();
            AtomicInteger deleted = new AtomicInteger();
            nat.journal(new NatSessionJournal() {
                @Override
                public void sessionCreated(long inside0, long inside1, long outside0, long outside1, long a, long b,
                                           long c, long d, long expiresAtNs) {
                    created.incrementAndGet();
                }

                @Override
                public void sessionRefreshed(long inside0, long inside1, int tcpState, long expiresAtNs) {
                }

                @Override
                public void sessionDeleted(long inside0, long inside1) {
                    deleted.incrementAndGet();
                }
            });
            NatTables tables = nat.compile(CONFIG);
            ConfigSnapshot snapshot = new SnapshotPublisher(new WorkerEpochs(1))
                .publish(ConfigSnapshot.builder().with(NatTables.SLOT, tables));
            FrameMemory memory = new FrameMemory(8);
            FramePool pool = new FramePool(memory);
            PacketBatch batch = new PacketBatch(memory, 4);
            Pipeline pipeline = new Pipeline(PipelineDefinition.builder().stage(nat.in2outStage(Stage.TRANSMIT))
                .entry(Nat44In2OutStage.NAME).build(), 0, batch, pool, new CounterLayout());
            byte[] packet = Packets.udp("10.0.0.5", 5000, "192.0.2.1", 53);
            int frame = pool.allocate();
            int start = memory.packetStart(frame);
            memory.buffer().putBytes(start, packet);
            int slot = batch.add(frame, start, packet.length, 0);
            batch.l3Offset[slot] = start + 14;
            batch.vrf[slot] = 1;
            long nowNs = 5_000_000_000L;
            pipeline.run(batch, snapshot, nowNs);
            assertEquals(1, pipeline.transmitVector().size());
            assertEquals(0, batch.vrf[slot], "continues in the public VRF");
            assertEquals(1, created.get());

            nat.sweeper().sweepAll(tables, nowNs + 302_000_000_000L); // timeout 300 s plus refresh slack
            assertEquals(1, deleted.get());
            List<String> lines = new ArrayList<>();
            assertEquals(2, nat.eventDrainer(tables::vpcName, lines::add).drain(100));
            assertTrue(lines.get(0).contains("MAPPING-CREATE proto=udp vpc=blue inside=10.0.0.5:5000"), lines.get(0));
            assertTrue(lines.get(1).contains("MAPPING-DELETE"), lines.get(1));
        }
    }

    @Test
    void shouldRefuseABadConfigNamingTheField() {
        try (NatModule nat = new NatModule(new NatCapacity(64, 64, 64, 1 << 12, 8))) {
            NatConfig bad = new NatConfig(CONFIG.vpcs(), 0, List.of(NatRule.builder("out", NatAction.SNAT, "blue")
                .snatToIP("198.51.100.1").protocol("sctp").build()), NatSettings.defaults());
            assertEquals("rule[out].protocol", assertThrows(NatConfigException.class, () -> nat.compile(bad)).field());
        }
    }
}
