package io.softgate.service.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.testkit.AllocationProbe;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureDirectionStageTest {
    private static final byte[] PACKET = new byte[64];

    /** Golden table: description, flags set by decap, expected next stage. */
    private static final Object[][] GOLDEN = {
        {"from a VPC (no flag)", 0, "acl-egress"},
        {"from a VPC, IPv6 fragment", PacketFlags.INNER_IPV6 | PacketFlags.FRAGMENT, "acl-egress"},
        {"from the public VRF", PacketFlags.FROM_OUTSIDE, "lb-vip"},
        {"from the public VRF, non-first fragment", PacketFlags.FROM_OUTSIDE | PacketFlags.NON_FIRST_FRAGMENT,
            "lb-vip"},
    };

    @Test
    void shouldSendEachPacketDownTheChainOfTheSideItCameFrom() {
        StageHarness harness = new StageHarness(new FeatureDirectionStage("acl-egress", "lb-vip"),
            ConfigSnapshot.empty());
        for (Object[] row : GOLDEN) {
            int flags = (Integer) row[1];
            StageHarness.Outcome outcome = harness.run(PACKET, slot -> harness.batch().flags[slot] = flags);
            assertEquals(row[2], outcome.verdict(), (String) row[0]);
        }
    }

    @Test
    void shouldAllocateNothingPerBatchInSteadyState() {
        StageHarness harness = new StageHarness(new FeatureDirectionStage("acl-egress", "lb-vip"),
            ConfigSnapshot.empty());
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            packets.add(PACKET);
        }
        harness.load(packets, slot -> harness.batch().flags[slot] = (slot & 1) * PacketFlags.FROM_OUTSIDE);
        long bytes = AllocationProbe.bytesPerRun(harness::processLoaded, 10_000, 10_000);
        harness.releaseAll();
        assertEquals(0, bytes, "bytes allocated per batch");
    }
}
